// One job held by the embedded server, and the intrusive doubly linked FIFO its priority queue is made
// of. Fixed-field classes only: a million queued jobs must stay small and O(1) to unlink.

import type { ServerConn } from './server-conn.js';
import type { FunctionEntry } from './function-entry.js';

export const PRIORITY_HIGH = 0;
export const PRIORITY_NORMAL = 1;
export const PRIORITY_LOW = 2;
export type Priority = 0 | 1 | 2;

/**
 * Job states:
 *   WAITING  background epoch job not yet due (in the epoch heap, not in a queue)
 *   QUEUED   linked into its function's queue for `priority`
 *   RUNNING  assigned to `worker`
 *   GONE     completed, failed, cancelled or dropped; every index has forgotten it
 */
export const JOB_WAITING = 0;
export const JOB_QUEUED = 1;
export const JOB_RUNNING = 2;
export const JOB_GONE = 3;
export type JobState = 0 | 1 | 2 | 3;

export class Job {
  state: JobState = JOB_QUEUED;
  /** Previous/next job in the same queue (intrusive links: no per-job list node). */
  prev: Job | null = null;
  next: Job | null = null;
  worker: ServerConn | null = null;
  /** Foreground connections attached to the job (null when none: the common background case). */
  clients: ServerConn[] | null = null;
  numerator = 0;
  denominator = 0;
  retries = 0;
  /** CAN_DO_TIMEOUT timer of the current assignment. */
  timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** Handle number: the handle on the wire is `<prefix>:<id>`. */
    readonly id: number,
    readonly fn: FunctionEntry,
    /** Unique id as sent (latin1, byte for byte); '' when none. */
    readonly unique: string,
    /** Coalescing key in `fn.uniques` ('' = not coalescable). */
    readonly uniqueKey: string,
    readonly payload: Buffer,
    readonly priority: Priority,
    readonly background: boolean,
    /** Reducer name of SUBMIT_REDUCE_JOB*, null otherwise. */
    readonly reducer: string | null,
    /** Unix time in ms before which the job must not run; 0 = now. */
    readonly notBeforeMs: number,
  ) {}
}

/** FIFO of jobs linked through Job.prev/next: push, shift and remove are O(1). */
export class JobList {
  head: Job | null = null;
  tail: Job | null = null;
  length = 0;

  push(job: Job): void {
    job.next = null;
    job.prev = this.tail;
    if (this.tail) this.tail.next = job;
    else this.head = job;
    this.tail = job;
    this.length++;
  }

  shift(): Job | null {
    const job = this.head;
    if (job) this.remove(job);
    return job;
  }

  /** Unlinks a job that is in this list. */
  remove(job: Job): void {
    if (job.prev) job.prev.next = job.next;
    else this.head = job.next;
    if (job.next) job.next.prev = job.prev;
    else this.tail = job.prev;
    job.prev = null;
    job.next = null;
    this.length--;
  }

  *[Symbol.iterator](): IterableIterator<Job> {
    for (let j = this.head; j; j = j.next) yield j;
  }
}
