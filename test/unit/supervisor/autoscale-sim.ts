// A simulated worker pool for the autoscaler's unit tests: one queue, instances with `concurrency` slots
// that start serving `startMs` after they are added, jobs of a given duration, scale-downs that drain.
// Time moves in 10 ms ticks; `sample()` reads it the way the Autoscaler reads a real program.

import type { AutoscaleConfig } from '../../../src/config/types.js';
import {
  decideScale,
  initialScaleState,
  type MachineReading,
  type ScaleDecision,
  type ScaleState,
} from '../../../src/supervisor/autoscale-decision.js';
import type { ScaleSample } from '../../../src/supervisor/autoscale-estimate.js';

const TICK_MS = 10;
const LONG_JOB_MS = 1000;

interface SimJob {
  startedAtMs: number;
  endsAtMs: number;
}

interface SimInstance {
  readyAtMs: number;
  leaving: boolean;
  jobs: SimJob[];
}

export interface SimOptions {
  policy: AutoscaleConfig;
  concurrency?: number;
  startMs?: number;
  /** Duration of each job (may draw from a PRNG). */
  jobMs: () => number;
  machine?: () => MachineReading | null;
}

export interface SimChange {
  atMs: number;
  from: number;
  to: number;
  reason: string;
}

export class PoolSim {
  nowMs = 0;
  /** Arrival times of queued jobs from `head` on (a head index: shift() would be O(n) per job). */
  private queue: number[] = [];
  private head = 0;
  desired: number;
  readonly instances: SimInstance[] = [];
  readonly changes: SimChange[] = [];
  readonly decisions: ScaleDecision[] = [];
  ended = 0;
  jobMsTotal = 0;
  busyMsTotal = 0;
  submitted = 0;
  /** Longest any job waited in the queue. */
  maxWaitMs = 0;
  private state: ScaleState = initialScaleState();
  pinned = false;
  readonly concurrency: number;

  constructor(private readonly opts: SimOptions) {
    this.concurrency = opts.concurrency ?? 1;
    this.desired = opts.policy.minInstances;
    for (let i = 0; i < this.desired; i++) this.instances.push({ readyAtMs: 0, leaving: false, jobs: [] });
  }

  submit(count: number): void {
    for (let i = 0; i < count; i++) this.queue.push(this.nowMs);
    this.submitted += count;
  }

  /** Moves time by `ms`; `arrivals(nowMs)` may submit jobs each tick; the autoscaler decides each second. */
  run(ms: number, arrivals: (nowMs: number) => void = () => {}): void {
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs += TICK_MS;
      arrivals(this.nowMs);
      this.tick();
      if (this.nowMs % 1000 === 0) this.decide();
    }
  }

  get queuedCount(): number {
    return this.queue.length - this.head;
  }

  get live(): number {
    return this.instances.filter((i) => !i.leaving).length;
  }

  /** Every process still there (serving or draining). */
  get processes(): number {
    return this.instances.length;
  }

  sample(): ScaleSample {
    let longRunning = 0;
    let oldest: number | null = null;
    for (const inst of this.instances)
      for (const j of inst.jobs) {
        if (j.startedAtMs < this.nowMs - LONG_JOB_MS) longRunning++;
        oldest = oldest === null ? j.startedAtMs : Math.min(oldest, j.startedAtMs);
      }
    return {
      atMs: this.nowMs,
      queued: this.queuedCount,
      ended: this.ended,
      jobMsTotal: this.jobMsTotal,
      busyMsTotal: this.busyMsTotal,
      longRunning,
      oldestJobAgeMs: oldest === null ? null : this.nowMs - oldest,
    };
  }

  private tick(): void {
    for (const inst of this.instances) {
      const left: SimJob[] = [];
      for (const j of inst.jobs) {
        if (j.endsAtMs <= this.nowMs) {
          const d = j.endsAtMs - j.startedAtMs;
          this.ended++;
          this.jobMsTotal += d;
          this.busyMsTotal += Math.min(d, LONG_JOB_MS);
        } else left.push(j);
      }
      inst.jobs = left;
      while (!inst.leaving && inst.readyAtMs <= this.nowMs && inst.jobs.length < this.concurrency) {
        const at = this.queue[this.head];
        if (at === undefined) break;
        this.head++;
        this.maxWaitMs = Math.max(this.maxWaitMs, this.nowMs - at);
        inst.jobs.push({ startedAtMs: this.nowMs, endsAtMs: this.nowMs + Math.max(TICK_MS, this.opts.jobMs()) });
      }
    }
    if (this.head > 10_000 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // A drained instance is gone.
    for (let i = this.instances.length - 1; i >= 0; i--) {
      const inst = this.instances[i]!;
      if (inst.leaving && inst.jobs.length === 0) this.instances.splice(i, 1);
    }
  }

  private decide(): void {
    const serving = this.instances.filter((i) => !i.leaving);
    const ready = serving.filter((i) => i.readyAtMs <= this.nowMs).length;
    const { state, decision } = decideScale(this.opts.policy, this.state, {
      sample: this.sample(),
      instances: this.desired,
      ready,
      starting: serving.length - ready,
      concurrency: this.concurrency,
      queueKnown: true,
      machine: this.opts.machine?.() ?? null,
      pinned: this.pinned,
    });
    this.state = state;
    this.decisions.push(decision);
    if (decision.action === 'hold') return;
    this.changes.push({ atMs: this.nowMs, from: decision.from, to: decision.to, reason: decision.reason });
    this.setDesired(decision.to);
  }

  setDesired(n: number): void {
    this.desired = n;
    const serving = this.instances.filter((i) => !i.leaving);
    for (let i = serving.length; i < n; i++)
      this.instances.push({ readyAtMs: this.nowMs + (this.opts.startMs ?? 300), leaving: false, jobs: [] });
    // The highest go first and finish their jobs (Program.setDesired drains the highest slots).
    for (let i = serving.length - 1; i >= n; i--) serving[i]!.leaving = true;
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same simulated hour. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
