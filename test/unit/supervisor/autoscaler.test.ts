// The Autoscaler on a Supervisor with a fake spawner and a manual clock: the job reports of the fake
// children and hand-made queue samples scale the program through Program.setDesired, the decision is
// logged and in the Snapshot, `gmsup scale` pins and `auto` resumes, a reload moves the bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AutoscaleConfig } from '../../../src/config/types.js';
import { Autoscaler } from '../../../src/supervisor/autoscaler.js';
import type { MachineReading } from '../../../src/supervisor/autoscale-decision.js';
import type { Samples } from '../../../src/supervisor/samplers.js';
import { buildSnapshot } from '../../../src/supervisor/snapshot.js';
import { daemonConfig, programConfig, supervisorHarness } from './fixture.js';

const SERVER = '127.0.0.1:4730';
const CALM: MachineReading = { loadAvg1: 0.2, cpuCount: 2, availableMemoryBytes: 8 * 2 ** 30 };

function autoscale(over: Partial<AutoscaleConfig> = {}): AutoscaleConfig {
  return {
    minInstances: 1,
    maxInstances: 4,
    targetWaitMs: 2000,
    cooldownMs: 10_000,
    maxLoadPerCore: 2,
    minFreeMemoryBytes: null,
    ...over,
  };
}

function samples(at: number, queued: number, machine: MachineReading = CALM): Samples {
  const queues = [{ function: 'w', queued, running: 1, availableWorkers: 1 }];
  return {
    takenAtMs: at,
    usage: new Map(),
    daemon: null,
    servers: [{ address: SERVER, reachable: true, error: null, workers: [], queues }],
    machine,
  };
}

/** The fake child reports `count` finished jobs of `ms` each (as one batched job:ends message). */
function reportJobs(h: ReturnType<typeof supervisorHarness>, pid: number, count: number, ms: number): void {
  const ends = Array.from({ length: count }, (_, i) => ({
    handle: `H:${pid}:${i}`,
    function: 'w',
    durationMs: ms,
    ok: true,
  }));
  h.spawner.byPid(pid).message({ type: 'job:ends', ends });
}

async function started(as: AutoscaleConfig) {
  const h = supervisorHarness([programConfig({ instances: as.minInstances, autoscale: as })]);
  h.start();
  await h.runFor(1100);
  const scaler = new Autoscaler(h.sup, h.log);
  const snap = () =>
    buildSnapshot(h.sup, null, h.errors, { configFile: 'x', startedAtMs: 0, configError: null }, h.clock.now(), scaler);
  return { ...h, scaler, snap, prog: h.sup.program('w') };
}

test('a queue scales the program up through setDesired; the log line and the Snapshot say why', async () => {
  const h = await started(autoscale());
  h.scaler.observe(samples(h.clock.now(), 0));
  reportJobs(h, 1000, 20, 50);
  await h.runFor(1000);
  h.scaler.observe(samples(h.clock.now(), 400));
  // 20 jobs/s of 50 ms on 1 slot: 400 queued wait 20 s; 400 x 50 ms / 2 s = 10 instances, capped at 4.
  assert.equal(h.prog.desired, 4);
  assert.ok(h.lines().includes('w: autoscale 1 -> 4: queue wait 20 s > 2 s: +3'), h.lines().join('\n'));
  await h.runFor(1500);
  assert.equal(h.spawner.live().filter((c) => !c.options.env.GMSUP_SPARE).length, 4);
  const info = h.snap().programs[0]!.autoscale!;
  assert.deepEqual([info.min, info.max, info.changes, info.pinned], [1, 4, 1, false]);
  assert.deepEqual(info.lastChange && [info.lastChange.from, info.lastChange.to, info.lastChange.reason], [
    1,
    4,
    'queue wait 20 s > 2 s: +3',
  ]);
  assert.equal(info.queued, 400);
  assert.equal(info.jobMs, 50);
  assert.equal(info.estimatedWaitMs, 20_000);
});

test('the guard holds a scale-up, is logged when it starts and when it stops, and shows in the Snapshot', async () => {
  const h = await started(autoscale());
  const busy: MachineReading = { ...CALM, loadAvg1: 7.5 };
  h.scaler.observe(samples(h.clock.now(), 0, busy));
  for (let i = 0; i < 3; i++) {
    reportJobs(h, 1000, 10, 100);
    await h.runFor(1000);
    h.scaler.observe(samples(h.clock.now(), 300, busy));
  }
  assert.equal(h.prog.desired, 1);
  const held = h.lines().filter((l) => l.includes('scale-up held'));
  assert.equal(held.length, 1, held.join('\n'));
  assert.match(held[0]!, /^w: autoscale scale-up held: queue wait 30 s > 2 s; held: load 7\.5 > 4 \(2 cores x 2\)$/);
  assert.equal(h.snap().programs[0]!.autoscale!.guard, 'load 7.5 > 4 (2 cores x 2)');
  reportJobs(h, 1000, 10, 100);
  await h.runFor(1000);
  h.scaler.observe(samples(h.clock.now(), 300));
  assert.equal(h.prog.desired, 4);
  assert.ok(h.lines().includes('w: autoscale the machine guard no longer holds it back'));
  assert.equal(h.snap().programs[0]!.autoscale!.guard, null);
});

test('gmsup scale pins an autoscaled count, `auto` resumes in min..max; a reload with new bounds clamps', async () => {
  const h = await started(autoscale());
  const pinned = h.sup.scale('w', 3);
  assert.deepEqual(pinned, { from: 1, to: 3, autoscale: 'pinned' });
  assert.ok(h.lines().some((l) => l.includes('w: pinned 1 -> 3 at runtime (autoscale 1..4 paused')));
  reportJobs(h, 1000, 10, 100);
  await h.runFor(1000);
  h.scaler.observe(samples(h.clock.now(), 5000));
  assert.equal(h.prog.desired, 3, 'pinned: the queue changes nothing');
  const info = h.snap().programs[0]!.autoscale!;
  assert.equal(info.pinned, true);
  assert.equal(info.lastEvaluation?.reason, 'pinned at 3 by gmsup scale');
  assert.match(h.sup.plan(daemonConfig([programConfig({ autoscale: autoscale() })]))[0]!.detail, /pinned at 3/);

  assert.deepEqual(h.sup.scale('w', 'auto'), { from: 3, to: 3, autoscale: 'resumed' });
  assert.equal(h.prog.scaled, false);
  const fixed = supervisorHarness([programConfig()]);
  fixed.start();
  assert.throws(() => fixed.sup.scale('w', 'auto'), /w has a fixed count \(no autoscale block\): give a number/);

  // A reload lowering max to 2: the count follows at once, the plan says what changed.
  const next = daemonConfig([programConfig({ instances: 1, autoscale: autoscale({ maxInstances: 2 }) })]);
  const plan = h.sup.apply(next);
  assert.deepEqual(
    plan.map((e) => [e.action, e.detail]),
    [['update', 'no restart; autoscale 1..4 -> 1..2']],
  );
  assert.equal(h.prog.desired, 2);
  // A pin ends when the file's autoscale block changes.
  h.sup.scale('w', 1);
  h.sup.apply(daemonConfig([programConfig({ instances: 2, autoscale: autoscale({ minInstances: 2 }) })]));
  assert.equal(h.prog.scaled, false);
  assert.equal(h.prog.desired, 2, 'the pinned 1 is clamped up to the new min');
  // From autoscale to a fixed count: the file's count.
  h.sup.apply(daemonConfig([programConfig({ instances: 3 })]));
  assert.equal(h.prog.desired, 3);
  assert.equal(h.snap().programs[0]!.autoscale, null);
});

test('a rolling restart of an autoscaled worker keeps the count the autoscaler set during the roll', async () => {
  const h = await started(autoscale());
  h.sup.scale('w', 3);
  h.sup.scale('w', 'auto'); // resumed at 3
  await h.runFor(1100);
  // Idle samples; 8 s in, a config change rolls the 3 instances one at a time (about a second each).
  for (let i = 0; i <= 14; i++) {
    if (i === 8)
      assert.equal(
        h.sup.apply(daemonConfig([programConfig({ autoscale: autoscale() }, { concurrency: 2 })]))[0]?.action,
        'restart',
      );
    h.scaler.observe(samples(h.clock.now(), 0));
    await h.runFor(1000);
  }
  assert.ok(
    h.lines().some((l) => l.startsWith('w: autoscale 3 -> 1: idle')),
    h.lines().join('\n'),
  );
  await h.runFor(5000);
  assert.equal(h.prog.desired, 1, 'the end of the roll did not put back the count from before it');
  assert.equal(h.prog.slots.length, 1);
  assert.equal(h.prog.slots[0]?.current.config.spec.concurrency, 2);
});
