// The daemon's metric families from a Snapshot: autoscaled workers get their range, the estimated wait,
// the change counter and the guard; fixed workers get none of those. Parsed with the strict test parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderExposition } from '../../../src/http/exposition.js';
import { snapshotFamilies } from '../../../src/http/snapshot-metrics.js';
import { parseExposition, sampleValue } from '../../helpers/prom-text.js';
import { autoscale, program, snapshot } from '../tui/snapshot-fixture.js';

test('autoscale metrics: min, max, estimated wait (seconds), changes, guard; only for autoscaled workers', () => {
  const snap = snapshot({
    programs: [
      program('burst', 3, { autoscale: autoscale({ changes: 4, guard: 'load 9.1 > 4 (2 cores x 2)' }) }),
      program('fixed', 2),
    ],
  });
  const families = parseExposition(renderExposition(snapshotFamilies(snap)));
  assert.equal(sampleValue(families, 'gmsup_autoscale_min_instances', { worker: 'burst' }), 1);
  assert.equal(sampleValue(families, 'gmsup_autoscale_max_instances', { worker: 'burst' }), 8);
  assert.equal(sampleValue(families, 'gmsup_autoscale_estimated_wait_seconds', { worker: 'burst' }), 8);
  assert.equal(sampleValue(families, 'gmsup_autoscale_changes_total', { worker: 'burst' }), 4);
  assert.equal(sampleValue(families, 'gmsup_autoscale_guard_holding', { worker: 'burst' }), 1);
  assert.equal(families.get('gmsup_autoscale_changes_total')?.type, 'counter');
  assert.throws(() => sampleValue(families, 'gmsup_autoscale_min_instances', { worker: 'fixed' }), /0 samples/);
  assert.equal(sampleValue(families, 'gmsup_worker_desired_instances', { worker: 'fixed' }), 2);
});
