// `gmsup status` text: the errors line appears once errors were counted, with the workers they concern;
// an autoscaled worker shows min/current/max, the last decision with its reason, and what holds it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatStatus } from '../../../src/cli/status-text.js';
import { autoscale, program, snapshot } from '../tui/snapshot-fixture.js';

test('status prints one ERRORS line with the per-worker counts, and none while there are no errors', () => {
  const clean = formatStatus(snapshot());
  assert.doesNotMatch(clean, /ERRORS/);
  const s = snapshot({ programs: [program('reverse', 2, { errors: 2 }), program('wc', 1)] });
  s.daemon.errors = 3;
  const text = formatStatus(s);
  assert.match(text, /^ERRORS: 3 since start \(reverse 2\); see gmsup logs$/m);
  assert.equal(text.match(/ERRORS/g)?.length, 1);
});

test('status shows an autoscaled worker: min/current/max, figures, the last decision and what holds it now', () => {
  const s = snapshot({ programs: [program('resize', 3, { autoscale: autoscale() }), program('wc', 1)] });
  const lines = formatStatus(s).split('\n');
  const at = lines.findIndex((l) => l.startsWith('resize: autoscale'));
  assert.deepEqual(lines.slice(at, at + 3), [
    'resize: autoscale min 1 / current 3 / max 8 (target wait 2 s, cooldown 10 s); ' +
      'queued 1200, 150 jobs/s, job 20 ms, wait 8 s',
    '  last decision 5s ago: 1 -> 3 (queue wait 7.2 s > 2 s: +2)',
    '  now: queue wait 8 s > 2 s; 2 instance(s) starting',
  ]);
  assert.doesNotMatch(formatStatus(s), /^wc: autoscale/m, 'a fixed count has no autoscale line');

  const held = formatStatus(
    snapshot({ programs: [program('resize', 3, { autoscale: autoscale({ guard: 'load 9.0 > 4 (2 cores x 2)' }) })] }),
  );
  assert.match(held, /^ {2}HELD by the machine guard: load 9\.0 > 4 \(2 cores x 2\)$/m);
  const pinned = formatStatus(
    snapshot({ programs: [program('resize', 5, { scaled: true, autoscale: autoscale({ pinned: true }) })] }),
  );
  assert.match(pinned, /^ {2}PINNED at 5 by gmsup scale \(`gmsup scale resize auto` resumes\)$/m);
  assert.doesNotMatch(pinned, /config says/);
  const fresh = formatStatus(
    snapshot({
      programs: [
        program('resize', 1, { autoscale: autoscale({ lastChange: null, lastEvaluation: null, queued: null }) }),
      ],
    }),
  );
  assert.match(fresh, /^resize: autoscale min 1 \/ current 1 \/ max 8 \(target wait 2 s, cooldown 10 s\); 150 jobs/m);
  assert.match(fresh, /^ {2}last decision: none yet$/m);
});
