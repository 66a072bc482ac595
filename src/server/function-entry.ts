// One Gearman function known to the server: its three priority queues, counters, queue limits, the
// workers that can do it and the coalescing index of its uniques. Data only; decisions live elsewhere.

import { type Job, JobList, PRIORITY_HIGH, PRIORITY_LOW, PRIORITY_NORMAL } from './job.js';
import type { ServerConn } from './server-conn.js';

export class FunctionEntry {
  readonly nameBytes: Buffer;
  /** Queues by priority: high, normal, low. */
  readonly queues: [JobList, JobList, JobList] = [new JobList(), new JobList(), new JobList()];
  /** Jobs assigned to a worker. */
  running = 0;
  /** Epoch jobs not yet due: counted as queued at normal priority. */
  waiting = 0;
  /** maxqueue limits per priority, 0 = unlimited. */
  maxQueue: [number, number, number] = [0, 0, 0];
  /** Connections that registered this function. */
  readonly workers = new Set<ServerConn>();
  /** Registered connections that sent PRE_SLEEP and were not woken since (may hold stale entries). */
  readonly sleepers = new Set<ServerConn>();
  readonly uniques = new Map<string, Job>();
  /** Set once `drop function` removed it, so cached references notice. */
  dropped = false;

  constructor(readonly name: string) {
    this.nameBytes = Buffer.from(name, 'latin1');
  }

  get queued(): number {
    return this.queues[0].length + this.queues[1].length + this.queues[2].length + this.waiting;
  }

  get total(): number {
    return this.queued + this.running;
  }

  queuedAt(priority: number): number {
    if (priority === PRIORITY_HIGH) return this.queues[PRIORITY_HIGH].length;
    if (priority === PRIORITY_NORMAL) return this.queues[PRIORITY_NORMAL].length + this.waiting;
    return this.queues[PRIORITY_LOW].length;
  }

  /** Head of the highest non-empty queue, unlinked; null when nothing is runnable. */
  takeRunnable(): Job | null {
    const q = this.queues;
    if (q[0].head) return q[0].shift();
    if (q[1].head) return q[1].shift();
    if (q[2].head) return q[2].shift();
    return null;
  }

  hasRunnable(): boolean {
    return this.queues[0].head !== null || this.queues[1].head !== null || this.queues[2].head !== null;
  }
}
