// End to end through real gmsup processes: 2000 fleet endpoints, `gmsup server`, two `gmsup work`
// http_call workers and the fan-out client. Exactly-once counts, retried failures, a SIGKILLed worker.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFleet } from '../../../examples/fanout/fleet.js';
import { runFanout } from '../../../examples/fanout/run-fanout.js';
import { expectedPullHash } from '../../../examples/fanout/targets.js';
import { itemAt } from '../../helpers/defined.js';
import { startHttpWorker, startServer, type Proc } from './gmsup-procs.js';

const COUNT = 2000;
const BASE_PORT = 27000;
const BODY_BYTES = 300;

test('fan-out through gmsup: exactly once, failures retried, a killed worker loses nothing', async (t) => {
  const fleet = await startFleet({
    count: COUNT,
    basePort: BASE_PORT,
    procs: 2,
    behaviour: { latency: { kind: 'fixed', ms: 20 }, sizeBytes: BODY_BYTES },
  });
  t.after(() => fleet.close());
  const server = await startServer();
  t.after(() => server.stop());
  const workers: Proc[] = [];
  t.after(() => Promise.all(workers.map((w) => w.stop())));
  workers.push(await startHttpWorker(server.address, 1000), await startHttpWorker(server.address, 1000));
  const base = { servers: [server.address], urls: fleet.urls, fleetControlUrl: fleet.controlUrl };

  await t.test('pull: every target called exactly once, bodies aggregated', async () => {
    await fleet.reset();
    const r = await runFanout({ ...base, method: 'GET' });
    assert.equal(r.ok, COUNT, JSON.stringify(r.errors));
    assert.equal(r.retried, 0);
    assert.equal(r.bytes, COUNT * BODY_BYTES);
    assert.equal(r.combinedSha1, expectedPullHash(COUNT, BODY_BYTES));
    const c = await fleet.counts();
    assert.deepEqual(c.perEndpoint.get, new Array(COUNT).fill(1));
    assert.equal(c.totals.post, 0);
    assert.deepEqual(r.fleet, { requests: COUNT, get: COUNT, post: 0, ok: COUNT, failures: 0, matches: true });
  });

  await t.test('push: every target receives the payload exactly once', async () => {
    await fleet.reset();
    const body = JSON.stringify({ price: 42, note: 'ü'.repeat(10) });
    const r = await runFanout({ ...base, method: 'POST', body });
    assert.equal(r.ok, COUNT);
    assert.equal(r.combinedSha1, null);
    const c = await fleet.counts();
    assert.deepEqual(c.perEndpoint.post, new Array(COUNT).fill(1));
    assert.equal(c.totals.bytesIn, COUNT * Buffer.byteLength(body));
    assert.equal(r.fleet?.matches, true);
  });

  await t.test('injected 5xx, resets and timeouts are retried and reported', async () => {
    await fleet.reset();
    await fleet.configure({ failRate: 0.08, seed: 7 });
    const r = await runFanout({
      ...base,
      method: 'GET',
      callTimeoutMs: 3000,
      retries: 5,
      backoff: { initialMs: 10, maxMs: 100 },
    });
    await fleet.configure({ failRate: 0 });
    const c = await fleet.counts();
    assert.equal(r.ok, COUNT, JSON.stringify(r.failures.slice(0, 3)));
    assert.ok(c.totals.fail5xx > 0 && c.totals.resets > 0 && c.totals.timeouts > 0, JSON.stringify(c.totals));
    const injected = c.totals.fail5xx + c.totals.resets + c.totals.timeouts;
    // Every injected failure is resubmitted; on a loaded machine a healthy call can also outlive
    // callTimeoutMs and be resubmitted, so the exact invariant is attempts == requests the fleet saw.
    assert.ok(r.retried >= injected, `resubmits ${r.retried} >= injected failures ${injected}`);
    assert.equal(r.attempts, c.totals.get);
    assert.equal(r.combinedSha1, expectedPullHash(COUNT, BODY_BYTES));
    assert.equal(r.fleet?.matches, true);
    assert.equal(r.fleet?.failures, injected);
  });

  await t.test('a worker SIGKILLed mid-run: its jobs are re-run, every target still answered', async () => {
    await fleet.reset();
    await fleet.configure({ latency: { kind: 'fixed', ms: 300 } });
    let killed = false;
    const victim = itemAt(workers, 0, 'workers');
    const r = await runFanout({
      ...base,
      method: 'GET',
      retries: 0, // nothing may be lost even without client retries: the server re-queues
      onCall: (done) => {
        if (!killed && done >= 100) {
          killed = true;
          process.kill(-victim.child.pid!, 'SIGKILL');
        }
      },
    });
    assert.ok(killed && victim.child.pid !== undefined);
    assert.equal(r.ok, COUNT, JSON.stringify(r.errors));
    assert.equal(r.failed, 0);
    const c = await fleet.counts();
    assert.ok(
      c.requests.every((n) => n >= 1),
      'every endpoint was called',
    );
    // At least once: calls the victim had started may run again on the survivor, never more than that.
    assert.ok(c.totals.get > COUNT && c.totals.get <= COUNT + 1000, `fleet saw ${c.totals.get} GETs`);
    assert.equal(r.combinedSha1, expectedPullHash(COUNT, BODY_BYTES));
  });
});
