// The deciding side of sampling, fed hand-made samples: recycling by max_memory / max_lifetime
// (replacement first), registration re-register then restart, and errors counted in the Snapshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkerLine } from '../../../src/protocol/admin-text.js';
import { HealthCheck } from '../../../src/supervisor/health-check.js';
import type { Samples, ServerSample } from '../../../src/supervisor/samplers.js';
import { buildSnapshot } from '../../../src/supervisor/snapshot.js';
import { programConfig, supervisorHarness } from './fixture.js';

const MIB = 1024 * 1024;
const SERVER = '127.0.0.1:4730';

function samples(at: number, rss: Record<number, number>, servers: ServerSample[] = []): Samples {
  const usage = new Map(Object.entries(rss).map(([pid, rssBytes]) => [Number(pid), { cpuPercent: 1, rssBytes }]));
  const machine = { loadAvg1: 0.1, cpuCount: 2, availableMemoryBytes: 4096 * MIB };
  return { takenAtMs: at, usage, daemon: { cpuPercent: 0.5, rssBytes: 50 * MIB }, servers, machine };
}

function serverWith(clientIds: Array<string | null>): ServerSample {
  const workers: WorkerLine[] = clientIds
    .filter((id): id is string => id !== null)
    .map((clientId, i) => ({ fd: i + 1, ip: '127.0.0.1', clientId, functions: ['w'] }));
  return { address: SERVER, reachable: true, error: null, workers, queues: [] };
}

test('max_memory: the sample decides, the replacement is RUNNING before the old one drains', async () => {
  const h = supervisorHarness([programConfig({ maxMemoryBytes: 100 * MIB })]);
  h.start();
  await h.runFor(1100);
  const health = new HealthCheck(h.sup, h.log, h.errors, null);
  const prog = h.sup.program('w');
  const slot = prog.slots[0]!;
  const old = slot.current;
  health.observe(samples(h.clock.now(), { 1000: 90 * MIB }));
  assert.equal(old.usage?.rssBytes, 90 * MIB);
  assert.equal(slot.replacing, null, 'under the limit: kept');
  health.observe(samples(h.clock.now(), { 1000: 150 * MIB }));
  assert.equal(slot.replacing, old, 'over the limit: replacement started');
  health.observe(samples(h.clock.now(), { 1000: 160 * MIB }));
  await h.runFor(1500);
  assert.equal(h.spawner.children.length, 2, 'one replacement, however many samples say so');
  const running = h.spawner.when('1001 RUNNING');
  const drain = h.spawner.when('1000 <- worker:stop');
  assert.ok(running >= 0 && drain > running, h.spawner.timeline.join(', '));
  assert.equal(slot.current.pid, 1001);
  assert.equal(old.stateName, 'STOPPED');
  assert.ok(h.lines().some((l) => /w\/0\/1000: recycling \(max_memory: RSS 150 MiB > 100 MiB\)/.test(l)));
  assert.ok(h.lines().some((l) => l.includes('w/0: pid 1001 took over from pid 1000 (max_memory')));
});

test('max_lifetime recycles by the clock; a stopping supervisor recycles nothing', async () => {
  const h = supervisorHarness([programConfig({ maxLifetimeMs: 60_000 })]);
  h.start();
  await h.runFor(1100);
  const health = new HealthCheck(h.sup, h.log, h.errors, null);
  const slot = h.sup.program('w').slots[0]!;
  health.observe(samples(h.clock.now(), {}));
  assert.equal(slot.replacing, null);
  await h.runFor(60_000, 1000);
  health.observe(samples(h.clock.now(), {}));
  assert.notEqual(slot.replacing, null);
  assert.ok(h.lines().some((l) => l.includes('recycling (max_lifetime 60 s reached)')));
  await h.runFor(1500);
  const stopping = h.sup.stopAll();
  await h.runFor(60_000, 1000);
  health.observe(samples(h.clock.now(), {}));
  await stopping;
  assert.equal(h.spawner.live().length, 0);
});

test('a registration that vanishes: re-register first, then restart; unreachable servers never count', async () => {
  const h = supervisorHarness([programConfig({}, { servers: [SERVER] })]);
  h.start();
  await h.runFor(1100);
  const health = new HealthCheck(h.sup, h.log, h.errors, SERVER);
  const mp = h.sup.program('w').slots[0]!.current;
  const child = h.spawner.byPid(1000);
  health.observe(samples(h.clock.now(), {}, [serverWith([mp.clientId])]));
  assert.equal(mp.registeredOn, 1);
  assert.equal(mp.registration.everRegistered, true);
  assert.equal(health.servers[0]?.embedded, true);
  const down: ServerSample = { address: SERVER, reachable: false, error: 'ECONNREFUSED', workers: null, queues: [] };
  for (let i = 0; i < 10; i++) {
    await h.runFor(1000, 1000);
    health.observe(samples(h.clock.now(), {}, [down]));
  }
  assert.ok(!child.sent.some((m) => m.type === 'worker:reregister'), 'a server that is down is not its fault');
  assert.ok(h.lines().some((l) => l.includes(`job server ${SERVER} is unreachable: ECONNREFUSED`)));
  for (let i = 0; i < 3; i++) {
    health.observe(samples(h.clock.now(), {}, [serverWith([])]));
    await h.runFor(1000, 1000);
  }
  health.observe(samples(h.clock.now(), {}, [serverWith([])]));
  assert.deepEqual(
    child.sent.map((m) => m.type),
    ['worker:init', 'worker:reregister'],
  );
  for (let i = 0; i < 4; i++) {
    await h.runFor(1000, 1000);
    health.observe(samples(h.clock.now(), {}, [serverWith([])]));
  }
  assert.ok(
    child.sent.some((m) => m.type === 'worker:stop'),
    'still missing: restarted',
  );
  await h.runFor(1500);
  assert.equal(mp.stateName, 'RUNNING');
  assert.equal(mp.pid, 1001);
  assert.equal(mp.registeredOn, 0, 'a new process starts unregistered');
  assert.ok(h.lines().some((l) => l.includes('still not registered after re-register request; restarting it')));
});

test('errors met in the background are logged with the instance and counted per worker in the Snapshot', async () => {
  const h = supervisorHarness([programConfig({ name: 'a' }), programConfig({ name: 'b' })]);
  h.start();
  await h.runFor(1100);
  h.spawner.byPid(1000).emit('invalid-message', 'worker message: unknown type "x"');
  h.spawner.byPid(1000).emit('invalid-message', 'worker message: unknown type "y"');
  h.errors.record(null, 'reload (SIGHUP)', new Error('disk on fire'));
  const info = { configFile: '/tmp/workers.yaml', startedAtMs: 0, configError: null };
  const snap = buildSnapshot(h.sup, null, h.errors, info, h.clock.now());
  assert.deepEqual(
    snap.programs.map((p) => [p.name, p.errors]),
    [
      ['a', 2],
      ['b', 0],
    ],
  );
  assert.equal(snap.daemon.errors, 3);
  assert.ok(h.lines().includes('error: a/0/1000: malformed IPC message dropped: worker message: unknown type "x"'));
  assert.ok(h.lines().includes('error: reload (SIGHUP): disk on fire'));
});
