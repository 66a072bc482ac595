// The fan-out as users run it: `gmsup start CONFIG --daemon` with the http_call module, 2000 fleet
// endpoints, the client library. Exactly-once pull and push; a SIGKILLed instance loses nothing and
// the daemon brings a registered replacement back.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDaemon, stopDaemon, snapshot, waitRegistered } from '../../../examples/fanout/daemon-ctl.js';
import { startFleet, type Fleet } from '../../../examples/fanout/fleet.js';
import { runFanout } from '../../../examples/fanout/run-fanout.js';
import { expectedPullHash } from '../../../examples/fanout/targets.js';
import { itemAt } from '../../helpers/defined.js';
import { waitFor } from '../../helpers/wait-for.js';
import { httpCallModule } from './gmsup-procs.js';

const COUNT = 2000;
const BASE_PORT = 28000;
const BODY_BYTES = 200;

test('fan-out through the gmsup daemon: exactly once, and a SIGKILLed instance loses nothing', async (t) => {
  // One cleanup, in order: the daemon must stop before its state directory (control socket) goes.
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-fanout-'));
  const config = join(dir, 'fanout.yaml');
  let fleet: Fleet | null = null;
  let daemon = false;
  t.after(async () => {
    if (daemon) stopDaemon(config);
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const yaml = [
    'server:',
    '  listen: 127.0.0.1:0',
    'workers:',
    '  http_call:',
    `    module: ${JSON.stringify(httpCallModule)}`,
    '    instances: 2',
    '    concurrency: 1000',
  ];
  writeFileSync(config, `${yaml.join('\n')}\n`);
  fleet = await startFleet({
    count: COUNT,
    basePort: BASE_PORT,
    behaviour: { latency: { kind: 'fixed', ms: 20 }, sizeBytes: BODY_BYTES },
  });
  daemon = true;
  startDaemon(config);
  const snap = await waitRegistered(config);
  const servers = snap.servers.map((s) => s.address);
  assert.equal(servers.length, 1);
  const base = { servers, urls: fleet.urls, fleetControlUrl: fleet.controlUrl };

  const pull = await runFanout({ ...base, method: 'GET' });
  assert.equal(pull.ok, COUNT, JSON.stringify(pull.errors));
  assert.equal(pull.combinedSha1, expectedPullHash(COUNT, BODY_BYTES));
  let c = await fleet.counts();
  assert.deepEqual(c.requests, new Array(COUNT).fill(1));
  assert.equal(pull.fleet?.matches, true);

  // Kill one instance (its whole process group) once the run is under way, with no client retries:
  // the server re-queues the victim's jobs and the surviving instance runs them.
  await fleet.reset();
  await fleet.configure({ latency: { kind: 'fixed', ms: 300 } });
  const victim = itemAt(snap.instances, 0, 'instances');
  let killed = false;
  const r = await runFanout({
    ...base,
    method: 'GET',
    retries: 0,
    onCall: (done) => {
      if (!killed && done >= 100) {
        killed = true;
        process.kill(-victim.pid!, 'SIGKILL');
      }
    },
  });
  assert.ok(killed);
  assert.equal(r.ok, COUNT, JSON.stringify(r.errors));
  assert.equal(r.combinedSha1, expectedPullHash(COUNT, BODY_BYTES));
  c = await fleet.counts();
  assert.ok(c.requests.every((n) => n >= 1));
  assert.ok(c.totals.get > COUNT, `the victim's started calls ran again (fleet saw ${c.totals.get})`);

  // The daemon replaced the instance; the next push reaches every target exactly once again.
  await waitFor(
    async () => {
      const s = await snapshot(config);
      const ok = s?.instances.filter((i) => i.state === 'RUNNING' && i.registeredOn === i.serverCount) ?? [];
      return ok.length === 2 && !ok.some((i) => i.pid === victim.pid);
    },
    { timeoutMs: 20_000, what: 'a registered replacement instance' },
  );
  await fleet.reset();
  await fleet.configure({ latency: { kind: 'fixed', ms: 20 } });
  const push = await runFanout({ ...base, method: 'POST', body: 'x'.repeat(64) });
  assert.equal(push.ok, COUNT);
  c = await fleet.counts();
  assert.deepEqual(c.perEndpoint.post, new Array(COUNT).fill(1));
  assert.equal(push.fleet?.matches, true);
});
