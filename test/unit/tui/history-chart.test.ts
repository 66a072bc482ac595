// The throughput/queue history (rates from counter deltas) and the unicode charts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChart, bucketize, sparkline } from '../../../src/tui/chart.js';
import { History } from '../../../src/tui/history.js';
import { server, snapshot } from './snapshot-fixture.js';

test('rates come from deltas of jobsDoneByFunction over the snapshot clock', () => {
  const h = new History(10);
  h.push(snapshot({ takenAtMs: 1000, jobsDoneByFunction: { a: 10, b: 0 } }));
  h.push(snapshot({ takenAtMs: 3000, jobsDoneByFunction: { a: 30, b: 4, c: 2 } }));
  assert.deepEqual(h.rates(), [0, 13]);
  assert.deepEqual(h.rates('a'), [0, 10]);
  assert.deepEqual(h.rates('c'), [0, 1]);
  assert.deepEqual(h.rates('missing'), [0, 0]);
});

test('a snapshot that is not newer is ignored; a new daemon pid resets the baseline', () => {
  const h = new History(10);
  h.push(snapshot({ takenAtMs: 1000, jobsDoneByFunction: { a: 10 } }));
  h.push(snapshot({ takenAtMs: 1000, jobsDoneByFunction: { a: 50 } }));
  assert.equal(h.length, 1);
  const restarted = snapshot({ takenAtMs: 2000, jobsDoneByFunction: { a: 1 } });
  restarted.daemon.pid = 9;
  h.push(restarted);
  assert.deepEqual(h.rates(), [0, 0]);
  h.push({ ...restarted, takenAtMs: 3000, jobsDoneByFunction: { a: 6 } });
  assert.deepEqual(h.rates(), [0, 0, 5]);
});

test('queue depth sums queued over reachable servers only, per function too; the ring is bounded', () => {
  const h = new History(3);
  for (let i = 1; i <= 5; i++) {
    h.push(
      snapshot({
        takenAtMs: i * 1000,
        servers: [
          server('a:1', [{ function: 'f', queued: i, running: 0, availableWorkers: 0 }]),
          server('b:1', [{ function: 'f', queued: 100, running: 0, availableWorkers: 0 }], { reachable: false }),
          server('c:1', [{ function: 'g', queued: 1, running: 0, availableWorkers: 0 }]),
        ],
      }),
    );
  }
  assert.deepEqual(h.queuedSeries(), [4, 5, 6]);
  assert.deepEqual(h.queuedSeries('f'), [3, 4, 5]);
  assert.deepEqual(h.queuedSeries('g'), [1, 1, 1]);
});

test('bucketize averages into columns, newest on the right, empty history left blank', () => {
  assert.deepEqual(bucketize([1, 3, 5, 7], 3, 2), [null, 2, 6]);
  assert.deepEqual(bucketize([], 2, 1), [null, null]);
});

test('sparkline and bar chart scale to the maximum with eighth blocks', () => {
  assert.equal(sparkline([null, 0, 4, 8]), ' ▁▄█');
  const rows = barChart([8, 4, 0, null], 2);
  assert.deepEqual(rows, ['█   ', '██▁ ']);
  assert.equal(barChart([1, 1], 3).length, 3);
});
