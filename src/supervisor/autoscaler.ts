// Runs the autoscaling decision (autoscale-decision.ts) for every autoscaled worker on each round of
// samples: builds the worker's sample from its job servers' queues and its instances' job reports,
// applies a change through Program.setDesired (a scale-down drains), logs it, and keeps what the
// Snapshot shows. It changes only its own per-program records; the count goes through the Program.

import { AUTOSCALE_TIMINGS } from '../config/defaults.js';
import type { AutoscaleInfo, ScaleEvent } from '../control/snapshot.js';
import type { Estimate } from './autoscale-estimate.js';
import { decideScale, initialScaleState, type ScaleInput, type ScaleState } from './autoscale-decision.js';
import type { LogSink } from './log-sink.js';
import type { Program } from './program.js';
import type { Samples } from './samplers.js';
import type { Supervisor } from './supervisor.js';

export interface Entry {
  state: ScaleState;
  queued: number | null;
  estimate: Estimate | null;
  guard: string | null;
  lastEvaluation: ScaleEvent | null;
  lastChange: ScaleEvent | null;
  changes: number;
}

export class Autoscaler {
  private readonly entries = new WeakMap<Program, Entry>();

  constructor(
    private readonly sup: Supervisor,
    private readonly log: LogSink,
  ) {}

  observe(samples: Samples): void {
    if (this.sup.isStopping) return;
    for (const prog of this.sup.programs.values()) {
      const policy = prog.config.autoscale;
      if (!policy || prog.stopped) continue;
      const entry = this.entryOf(prog);
      const input = inputFor(prog, samples);
      const { state, decision } = decideScale(policy, entry.state, input);
      const event: ScaleEvent = {
        atMs: samples.takenAtMs,
        action: decision.action,
        from: decision.from,
        to: decision.to,
        reason: decision.reason,
      };
      entry.state = state;
      entry.queued = input.queueKnown ? input.sample.queued : null;
      entry.estimate = decision.estimate;
      entry.lastEvaluation = event;
      // The guard is logged when it starts and stops holding a scale-up back, not every second.
      if ((decision.guard === null) !== (entry.guard === null)) {
        const what = decision.guard ? `scale-up held: ${decision.reason}` : 'the machine guard no longer holds it back';
        this.log.daemon(`${prog.name}: autoscale ${what}`, prog.name);
      }
      entry.guard = decision.guard;
      if (decision.action === 'hold') continue;
      entry.lastChange = event;
      entry.changes++;
      this.log.daemon(`${prog.name}: autoscale ${decision.from} -> ${decision.to}: ${decision.reason}`, prog.name);
      prog.setDesired(decision.to);
    }
  }

  /** What the Snapshot shows for a program; null when it has a fixed count. */
  info(prog: Program): AutoscaleInfo | null {
    return autoscaleInfo(prog, this.entries.get(prog));
  }

  private entryOf(prog: Program): Entry {
    let e = this.entries.get(prog);
    if (!e) {
      e = {
        state: initialScaleState(),
        queued: null,
        estimate: null,
        guard: null,
        lastEvaluation: null,
        lastChange: null,
        changes: 0,
      };
      this.entries.set(prog, e);
    }
    return e;
  }
}

/** A program's autoscaling as the Snapshot shows it (`entry` absent: nothing measured yet). */
export function autoscaleInfo(prog: Program, e: Entry | undefined): AutoscaleInfo | null {
  const p = prog.config.autoscale;
  if (!p) return null;
  return {
    min: p.minInstances,
    max: p.maxInstances,
    targetWaitMs: p.targetWaitMs,
    cooldownMs: p.cooldownMs,
    maxLoadPerCore: p.maxLoadPerCore,
    minFreeMemoryBytes: p.minFreeMemoryBytes,
    pinned: prog.scaled,
    queued: e?.queued ?? null,
    completedPerSec: e?.estimate?.completedPerSec ?? null,
    jobMs: e?.estimate?.jobMs ?? null,
    estimatedWaitMs: e?.estimate?.waitMs ?? null,
    guard: e?.guard ?? null,
    lastEvaluation: e?.lastEvaluation ?? null,
    lastChange: e?.lastChange ?? null,
    changes: e?.changes ?? 0,
  };
}

/** The decision's input for one program: its queue on its own job servers, its jobs, its instances. */
export function inputFor(prog: Program, samples: Samples): ScaleInput {
  const now = samples.takenAtMs;
  const fn = prog.config.spec.function;
  const servers = new Set(prog.config.spec.servers);
  let queued = 0;
  let queueKnown = false;
  for (const s of samples.servers) {
    if (!s.reachable || !servers.has(s.address)) continue;
    queueKnown = true;
    queued += s.queues.find((q) => q.function === fn)?.queued ?? 0;
  }
  let longRunning = 0;
  let oldestAtMs: number | null = null;
  for (const mp of prog.all()) {
    longRunning += mp.jobs.startedBefore(now - AUTOSCALE_TIMINGS.longJobMs);
    const at = mp.jobs.oldestStartedAtMs();
    if (at !== null) oldestAtMs = oldestAtMs === null ? at : Math.min(oldestAtMs, at);
  }
  const current = prog.slots.map((s) => s.current);
  const tally = prog.jobTally;
  return {
    sample: {
      atMs: now,
      queued,
      ended: tally.ended,
      jobMsTotal: tally.jobMsTotal,
      busyMsTotal: tally.busyMsTotal,
      longRunning,
      oldestJobAgeMs: oldestAtMs === null ? null : Math.max(0, now - oldestAtMs),
    },
    instances: prog.desired,
    ready: current.filter((mp) => mp.stateName === 'RUNNING').length,
    starting: current.filter((mp) => mp.stateName === 'STARTING' || mp.stateName === 'BACKOFF').length,
    concurrency: prog.config.spec.concurrency,
    queueKnown,
    machine: samples.machine,
    pinned: prog.scaled,
  };
}
