// The autoscaling decision on a simulated pool (no processes, no sleeps): a burst scales up in one step
// and back down after the cooldown, the machine guard holds scale-ups (fake load and memory readings),
// never below what keeps the queue draining, pins and bounds, and the flapping bound over simulated hours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AutoscaleConfig } from '../../../src/config/types.js';
import {
  decideScale,
  guardReason,
  initialScaleState,
  maxChangesPerMinute,
  maxScaleDownsPerMinute,
  type ScaleInput,
} from '../../../src/supervisor/autoscale-decision.js';
import { estimate } from '../../../src/supervisor/autoscale-estimate.js';
import { PoolSim, prng, type SimChange } from './autoscale-sim.js';

const GIB = 2 ** 30;

function policy(over: Partial<AutoscaleConfig> = {}): AutoscaleConfig {
  return {
    minInstances: 1,
    maxInstances: 8,
    targetWaitMs: 2000,
    cooldownMs: 10_000,
    maxLoadPerCore: 2,
    minFreeMemoryBytes: 256 * 2 ** 20,
    ...over,
  };
}

const calm = () => ({ loadAvg1: 0.5, cpuCount: 2, availableMemoryBytes: 8 * GIB });

test('a burst of 5,000 jobs of 20 ms: one step up to max (wait in the reason), down to min after the cooldown', () => {
  const sim = new PoolSim({ policy: policy(), jobMs: () => 20, machine: calm });
  sim.run(3000);
  assert.equal(sim.changes.length, 0, 'idle: nothing to do');
  sim.submit(5000);
  sim.run(2000);
  assert.equal(sim.changes.length, 1, JSON.stringify(sim.changes));
  const up = sim.changes[0]!;
  assert.equal(up.from, 1);
  assert.equal(up.to, 8, 'the estimate asks for more than max: straight to max');
  // 1 instance x 50 jobs/s: ~4,950 queued wait about 99 s.
  assert.match(up.reason, /^queue wait \d+ s > 2 s: \+7$/);
  sim.run(30_000);
  assert.equal(sim.queuedCount, 0, 'the queue drained');
  assert.equal(sim.ended, 5000);
  assert.equal(sim.changes.length, 2, JSON.stringify(sim.changes));
  const down = sim.changes[1]!;
  assert.deepEqual([down.from, down.to], [8, 1]);
  assert.match(down.reason, /^idle: at most [\d.]+ of 8 slots busy for 10 s: -7$/);
  // Drain 5,000 x 20 ms over 8 instances = 12.5 s; the down comes a full cooldown after the queue emptied.
  assert.ok(down.atMs - up.atMs >= 10_000 + 12_000, `${down.atMs - up.atMs} ms between up and down`);
  sim.run(10_000);
  assert.equal(sim.processes, 1, 'the drained instances are gone');
  assert.equal(sim.changes.length, 2, 'and it stays there');
});

test('the guard: a load above cores x factor holds the scale-up and says so; it goes up once the load falls', () => {
  let load = 9;
  const sim = new PoolSim({
    policy: policy(),
    jobMs: () => 20,
    machine: () => ({ loadAvg1: load, cpuCount: 2, availableMemoryBytes: 8 * GIB }),
  });
  sim.run(2000);
  sim.submit(3000);
  sim.run(5000);
  assert.equal(sim.changes.length, 0, 'held');
  const last = sim.decisions.at(-1)!;
  assert.equal(last.action, 'hold');
  assert.equal(last.guard, 'load 9.0 > 4 (2 cores x 2)');
  assert.match(last.reason, /^queue wait \d+ s > 2 s; held: load 9\.0 > 4 \(2 cores x 2\)$/);
  load = 3.9;
  sim.run(1000);
  assert.equal(sim.changes.length, 1);
  assert.equal(sim.changes[0]!.to, 8);
  assert.equal(sim.decisions.at(-1)!.guard, null);
});

test('the guard: free memory below the floor holds scale-ups, off when null, never holds the first instance', () => {
  const p = policy({ minFreeMemoryBytes: GIB });
  const low = { loadAvg1: 0.1, cpuCount: 4, availableMemoryBytes: 300 * 2 ** 20 };
  assert.equal(guardReason(p, low), 'free memory 300 MiB < 1024 MiB');
  assert.equal(guardReason({ ...p, minFreeMemoryBytes: null }, low), null);
  assert.equal(
    guardReason({ ...p, maxLoadPerCore: null }, { ...low, loadAvg1: 500, availableMemoryBytes: 2 * GIB }),
    null,
  );
  assert.equal(guardReason(p, null), null, 'no reading, no guard');

  // Scale from zero under the guard: one instance, no more, so the queue drains.
  const sim = new PoolSim({
    policy: policy({ minInstances: 0, minFreeMemoryBytes: GIB }),
    jobMs: () => 20,
    machine: () => low,
  });
  assert.equal(sim.processes, 0);
  sim.submit(500);
  sim.run(1000);
  assert.deepEqual(
    sim.changes.map((c) => [c.from, c.to, c.reason]),
    [[0, 1, '500 queued and no instance: +1']],
  );
  sim.run(5000);
  assert.equal(sim.changes.length, 1, 'the guard holds every further scale-up');
  assert.match(sim.decisions.at(-1)!.reason, /^queue wait \d+(\.\d)? s > 2 s; held: free memory 300 MiB < 1024 MiB$/);
  sim.run(10_000);
  assert.equal(sim.ended, 500, 'one instance drains the queue');
  assert.ok(
    sim.changes.every((c) => c.to <= 1),
    JSON.stringify(sim.changes),
  );
});

test('scale to zero and back: min 0 drops the last instance after the cooldown, a new job brings one back', () => {
  const sim = new PoolSim({ policy: policy({ minInstances: 0, maxInstances: 4 }), jobMs: () => 50, machine: calm });
  sim.submit(10);
  sim.run(20_000);
  assert.deepEqual(
    sim.changes.map((c) => [c.from, c.to]),
    [
      [0, 1],
      [1, 0],
    ],
  );
  assert.equal(sim.ended, 10);
  sim.submit(1);
  sim.run(6000);
  assert.equal(sim.changes.at(-1)!.to, 1);
  assert.equal(sim.ended, 11);
});

test('never below what keeps the queue draining: steady 120 jobs/s of 20 ms keeps enough instances', () => {
  const sim = new PoolSim({ policy: policy(), jobMs: () => 20, machine: calm });
  sim.setDesired(8);
  // 120 jobs/s (1.2 per 10 ms tick) x 20 ms = 2.4 busy slots on average.
  let carry = 0;
  const steady = () => {
    carry += 1.2;
    const n = Math.floor(carry);
    carry -= n;
    sim.submit(n);
  };
  sim.run(60_000, steady);
  const down = sim.changes.find((c) => c.to < c.from);
  assert.ok(down, 'idle capacity was removed');
  assert.ok(sim.desired >= 3, `kept ${sim.desired} instances for 2.4 busy slots`);
  assert.ok(sim.desired < 8);
  assert.ok(sim.maxWaitMs <= 2000, `no job waited past the target (max ${sim.maxWaitMs} ms)`);
  assert.ok(sim.queuedCount < 20, 'the queue keeps draining');
});

function input(over: Partial<ScaleInput> = {}): ScaleInput {
  return {
    sample: { atMs: 10_000, queued: 0, ended: 0, jobMsTotal: 0, busyMsTotal: 0, longRunning: 0, oldestJobAgeMs: null },
    instances: 2,
    ready: 2,
    starting: 0,
    concurrency: 1,
    queueKnown: true,
    machine: calm(),
    pinned: false,
    ...over,
  };
}

test('pinned, bounds, unknown queue and starting instances', () => {
  const p = policy();
  const s0 = initialScaleState();
  const d = (over: Partial<ScaleInput>) => decideScale(p, s0, input(over)).decision;
  assert.deepEqual([d({ pinned: true }).action, d({ pinned: true }).reason], ['hold', 'pinned at 2 by gmsup scale']);
  assert.deepEqual([d({ instances: 12 }).to, d({ instances: 12 }).reason], [8, 'above max 8: -4']);
  assert.deepEqual([d({ instances: 0 }).to, d({ instances: 0 }).reason], [1, 'below min 1: +1']);
  assert.match(d({ queueKnown: false }).reason, /queue unknown/);
  // A wait over the target with instances still starting: wait for them before adding more.
  let state = s0;
  for (let t = 0; t <= 3000; t += 1000) {
    const r = decideScale(
      p,
      state,
      input({
        instances: 4,
        ready: 1,
        starting: 3,
        sample: {
          atMs: t,
          queued: 1000,
          ended: t / 20,
          jobMsTotal: t,
          busyMsTotal: t,
          longRunning: 0,
          oldestJobAgeMs: 5,
        },
      }),
    );
    state = r.state;
    if (t > 0) assert.match(r.decision.reason, /^queue wait \d+ s > 2 s; 3 instance\(s\) starting$/);
  }
});

test('long jobs that have not finished yet: the wait is a lower bound from the oldest job running', () => {
  const sim = new PoolSim({ policy: policy({ maxInstances: 4 }), jobMs: () => 60_000, machine: calm });
  sim.submit(6);
  sim.run(8000);
  assert.equal(sim.changes.length, 1, JSON.stringify(sim.changes));
  assert.match(sim.changes[0]!.reason, /^queue wait >= \d+(\.\d)? s > 2 s: \+\d$/);
  const est = estimate([sim.sample()], 1);
  assert.equal(est.completedPerSec, null, 'one sample measures no rate');
});

test('changes are paced: a load that keeps growing scales up step by step, never twice within 5 s', () => {
  const sim = new PoolSim({ policy: policy({ maxInstances: 16 }), jobMs: () => 20, machine: calm });
  const rand = prng(7);
  sim.run(120_000, (now) => {
    const rate = Math.min(7, now / 15_000); // jobs per 10 ms tick, rising to 700 jobs/s (14 slots)
    sim.submit(Math.floor(rate) + (rand() < rate % 1 ? 1 : 0));
  });
  assert.ok(sim.changes.length >= 2);
  for (let i = 1; i < sim.changes.length; i++)
    assert.ok(sim.changes[i]!.atMs - sim.changes[i - 1]!.atMs >= 5000, JSON.stringify(sim.changes));
  assert.ok(sim.desired >= 14, `grew with the load to ${sim.desired}`);
});

/** The most changes (and scale-downs) in any 60 s window. */
function worstMinute(changes: SimChange[]): { changes: number; downs: number } {
  let worst = { changes: 0, downs: 0 };
  for (let i = 0; i < changes.length; i++) {
    const from = changes[i]!.atMs;
    const inWindow = changes.filter((c) => c.atMs >= from && c.atMs < from + 60_000);
    const downs = inWindow.filter((c) => c.to < c.from).length;
    worst = { changes: Math.max(worst.changes, inWindow.length), downs: Math.max(worst.downs, downs) };
  }
  return worst;
}

/**
 * Two kinds of bursty hour: bursts of 20..3,000 jobs at random moments (on average every 20 s) plus a
 * random trickle; and bursts just big enough to scale up, spaced a little over the cooldown apart so each
 * one comes right after the scale-down of the one before (the worst case for reversals).
 */
const LOADS = {
  random: (sim: PoolSim, rand: () => number) => () => {
    if (rand() < 1 / 2000) sim.submit(20 + Math.floor(rand() * 2980));
    if (rand() < 0.05) sim.submit(1);
  },
  'cooldown-spaced': (sim: PoolSim, rand: () => number, cooldownMs: number) => {
    let nextAtMs = 0;
    return (now: number) => {
      if (now < nextAtMs) return;
      sim.submit(300 + Math.floor(rand() * 1500));
      nextAtMs = now + cooldownMs + 6000 + Math.floor(rand() * 5000);
    };
  },
} as const;

for (const [load, cooldownMs] of [
  ['random', 2_000],
  ['random', 10_000],
  ['random', 30_000],
  ['cooldown-spaced', 2_000],
  ['cooldown-spaced', 10_000],
] as const) {
  test(`flapping: a simulated hour of ${load} bursts stays within the bound (cooldown ${cooldownMs / 1000} s)`, (t) => {
    const p = policy({ cooldownMs });
    const rand = prng(cooldownMs + load.length);
    const sim = new PoolSim({ policy: p, jobMs: () => 10 + rand() * 30, machine: calm, startMs: 100 + rand() * 900 });
    sim.run(3_600_000, LOADS[load](sim, rand, cooldownMs));
    const worst = worstMinute(sim.changes);
    t.diagnostic(
      `${load}, cooldown ${cooldownMs} ms: ${sim.changes.length} changes in the hour, ${sim.submitted} jobs; ` +
        `worst minute ${worst.changes} changes (bound ${maxChangesPerMinute()}), ` +
        `${worst.downs} scale-downs (bound ${maxScaleDownsPerMinute(p)})`,
    );
    assert.ok(sim.changes.length > 20, 'the bursts did make it scale');
    assert.ok(worst.changes <= maxChangesPerMinute(), `worst minute: ${worst.changes} changes`);
    assert.ok(worst.downs <= maxScaleDownsPerMinute(p), `worst minute: ${worst.downs} scale-downs`);
    for (let i = 1; i < sim.changes.length; i++) {
      const gap = sim.changes[i]!.atMs - sim.changes[i - 1]!.atMs;
      assert.ok(gap >= 5000, `changes ${gap} ms apart`);
      if (sim.changes[i]!.to < sim.changes[i]!.from)
        assert.ok(gap >= Math.max(cooldownMs, 5000), `down ${gap} ms after a change`);
    }
    // It did its job meanwhile: everything ran, nothing is left queued.
    sim.run(120_000);
    assert.equal(sim.ended, sim.submitted);
    assert.equal(sim.desired, 1, 'back to min once the bursts stop');
  });
}

test('the bound itself: 12 changes a minute, scale-downs one per cooldown', () => {
  assert.equal(maxChangesPerMinute(), 12);
  assert.equal(maxScaleDownsPerMinute(policy({ cooldownMs: 10_000 })), 6);
  assert.equal(maxScaleDownsPerMinute(policy({ cooldownMs: 30_000 })), 2);
  assert.equal(maxScaleDownsPerMinute(policy({ cooldownMs: 1_000 })), 12);
});
