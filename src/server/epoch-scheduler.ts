// Holds SUBMIT_JOB_EPOCH jobs until they fall due, on one real timer armed for the earliest, so due
// jobs reach the queue (and sleeping workers) without anyone polling.

import type { Clock, TimerHandle } from '../shared/clock.js';
import { EpochHeap } from './epoch-heap.js';
import { type FunctionEntry, JOB_WAITING, type Job } from './model.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export class EpochScheduler {
  private readonly heap = new EpochHeap();
  private timer: TimerHandle | null = null;
  private timerDueMs = 0;

  constructor(
    private readonly clock: Clock,
    /** Moves a due job into its queue; returns its function. */
    private readonly release: (job: Job) => FunctionEntry,
    /** Called once per function that received due jobs. */
    private readonly wake: (fn: FunctionEntry) => void,
  ) {}

  /** Adds a WAITING job. Jobs that leave WAITING meanwhile (cancelled) are skipped when due. */
  add(job: Job): void {
    this.heap.push(job);
    this.arm();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const top = this.heap.peek();
    if (!top) return;
    if (this.timer !== null) {
      if (this.timerDueMs <= top.notBeforeMs) return;
      this.clock.clearTimeout(this.timer);
    }
    const delayMs = Math.min(Math.max(0, top.notBeforeMs - this.clock.now()), MAX_TIMER_MS);
    this.timerDueMs = top.notBeforeMs;
    this.timer = this.clock.setTimeout(() => this.onTimer(), delayMs);
  }

  private onTimer(): void {
    this.timer = null;
    const now = this.clock.now();
    const due = new Set<FunctionEntry>();
    for (
      let top = this.heap.peek();
      top && (top.notBeforeMs <= now || top.state !== JOB_WAITING);
      top = this.heap.peek()
    ) {
      this.heap.pop();
      if (top.state === JOB_WAITING) due.add(this.release(top));
    }
    for (const fn of due) this.wake(fn);
    this.arm();
  }
}
