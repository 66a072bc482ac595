// `gmsup describe`'s settings rows (config/describe.ts): the restart row names every restart key,
// fatal_retry included, from a real file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { programSettings } from '../../../src/config/describe.js';
import { loadConfig } from '../../../src/config/load.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/configs', import.meta.url));

test('the restart row shows every restart key, fatal_retry too (off when unset)', async () => {
  const c = await loadConfig(join(FIXTURES, 'valid-full.yaml'), { cpuCount: 3 });
  const rows = c.programs.map((p) => new Map(programSettings(p)).get('restart'));
  for (const row of rows)
    assert.match(row ?? '', /^initial_backoff .+, max_backoff .+, retries \d+, start_seconds .+, fatal_retry .+$/);
  assert.ok(
    rows.some((r) => / fatal_retry off$/.test(r ?? '')),
    `some worker has fatal_retry off: ${rows.join(' | ')}`,
  );
});
