// The jobs of one worker instance as its IPC messages report them: the ones in flight (for the job-age
// column) and the counts done and failed. Only the instance that owns it writes to it.

import type { CurrentJob } from '../worker/ipc-messages.js';

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

  /** When the oldest job in flight started, or null when idle. */
  oldestStartedAtMs(): number | null {
    let oldest: number | null = null;
    for (const j of this.inFlight.values()) oldest = oldest === null ? j.startedAtMs : Math.min(oldest, j.startedAtMs);
    return oldest;
  }
}
