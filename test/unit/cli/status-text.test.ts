// `gmsup status` text: the errors line appears once errors were counted, with the workers they concern.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatStatus } from '../../../src/cli/status-text.js';
import { program, snapshot } from '../tui/snapshot-fixture.js';

test('status prints one ERRORS line with the per-worker counts, and none while there are no errors', () => {
  const clean = formatStatus(snapshot());
  assert.doesNotMatch(clean, /ERRORS/);
  const s = snapshot({ programs: [program('reverse', 2, { errors: 2 }), program('wc', 1)] });
  s.daemon.errors = 3;
  const text = formatStatus(s);
  assert.match(text, /^ERRORS: 3 since start \(reverse 2\); see gmsup logs$/m);
  assert.equal(text.match(/ERRORS/g)?.length, 1);
});
