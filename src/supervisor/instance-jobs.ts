// The jobs of one worker instance as its IPC messages report them: the ones in flight (for the job-age
// column) and the counts done and failed. Only the instance that owns it writes to it. JobTally: the
// same reports summed over a whole program, for the autoscaler's rates.

import { AUTOSCALE_TIMINGS } from '../config/defaults.js';
import type { CurrentJob } from '../worker/ipc-messages.js';

/** Jobs of a program reported finished since the daemon started (cumulative; only the program writes). */
export class JobTally {
  private endedCount = 0;
  private jobMs = 0;
  private busyMs = 0;

  record(durationMs: number): void {
    const ms = Math.max(0, durationMs);
    this.endedCount++;
    this.jobMs += ms;
    this.busyMs += Math.min(ms, AUTOSCALE_TIMINGS.longJobMs);
  }

  get ended(): number {
    return this.endedCount;
  }
  /** Sum of the durations. */
  get jobMsTotal(): number {
    return this.jobMs;
  }
  /** Sum of the durations, each cut at longJobMs (autoscale-estimate.ts busySlots says why). */
  get busyMsTotal(): number {
    return this.busyMs;
  }
}

export class InstanceJobs {
  private readonly inFlight = new Map<string, CurrentJob>();
  private doneCount = 0;
  private failedCount = 0;

  get done(): number {
    return this.doneCount;
  }

  get failed(): number {
    return this.failedCount;
  }

  started(job: CurrentJob): void {
    this.inFlight.set(job.handle, job);
  }

  ended(handle: string, ok: boolean): void {
    this.inFlight.delete(handle);
    if (ok) this.doneCount++;
    else this.failedCount++;
  }

  /** A new process starts with nothing in flight (the counts add up over the instance's processes). */
  clearInFlight(): void {
    this.inFlight.clear();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Jobs in flight that started before `beforeMs`. */
  startedBefore(beforeMs: number): number {
    let n = 0;
    for (const j of this.inFlight.values()) if (j.startedAtMs < beforeMs) n++;
    return n;
  }

  /** When the oldest job in flight started, or null when idle. */
  oldestStartedAtMs(): number | null {
    let oldest: number | null = null;
    for (const j of this.inFlight.values()) oldest = oldest === null ? j.startedAtMs : Math.min(oldest, j.startedAtMs);
    return oldest;
  }
}
