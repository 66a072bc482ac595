// Issue 11 defect 7 with the real daemon: `restart.fatal_retry` gives a FATAL worker a fresh start sequence
// after the delay (shown in `gmsup status` and the log), again and again, until the thing it depends on
// is back and it comes up.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, instancesOf, startDaemon } from './daemon-harness.js';

test('a FATAL worker is started again after fatal_retry and comes up once it can', async (t) => {
  const allow = join(tmpdir(), `gmsup-allow-${process.pid}-${Date.now()}`);
  t.after(() => rmSync(allow, { force: true }));
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
workers:
  flaky:
    module: ${fixture('loads-when-allowed.mjs')}
    env: { ALLOW_FILE: ${allow} }
    restart: { retries: 1, initial_backoff: 100ms, start_seconds: 0.2, fatal_retry: 2s }
`,
    { waitRunning: false },
  );
  const flaky = async () => instancesOf(await d.status(), 'flaky')[0];
  const fatal = await waitFor(async () => ((await flaky())?.state === 'FATAL' ? flaky() : null), {
    timeoutMs: 15_000,
    what: 'flaky FATAL',
  });
  assert.ok(fatal?.retryInMs !== null && (fatal?.retryInMs ?? 0) <= 2000, `retryInMs ${fatal?.retryInMs}`);
  assert.match(fatal?.reason ?? '', /not allowed to load yet.*gave up after 2 failed starts; fatal_retry in 2s/);
  const text = d.cli('status', d.file);
  assert.match(text.stdout, /flaky .*FATAL, retry in [012]s/, text.stdout);

  // The retry runs a whole sequence (1 + retries starts) and goes FATAL again with a new retry.
  await waitFor(() => /flaky\/0\/- FATAL -> STARTING \(fatal_retry 1 after 2s\)/.test(d.output()), {
    timeoutMs: 10_000,
    what: 'the first fatal_retry in the log',
  });
  await waitFor(async () => (await flaky())?.state === 'FATAL' && (await flaky())?.retryInMs !== null, {
    timeoutMs: 10_000,
    what: 'FATAL again with the next retry pending',
  });
  writeFileSync(allow, 'ok'); // the dependency is back
  const up = await waitFor(async () => ((await flaky())?.state === 'RUNNING' ? flaky() : null), {
    timeoutMs: 15_000,
    what: 'flaky RUNNING after a later fatal_retry',
  });
  assert.equal(up?.retryInMs, null);
  assert.ok((up?.restarts ?? 0) >= 4, `restarts ${up?.restarts}`);
});
