// Where the server keeps functions and jobs: the JobStore interface (a durable store could implement it
// later) and the in-memory store. Every operation is O(1) in the number of queued jobs.

import { FunctionEntry } from './function-entry.js';
import { JOB_GONE, JOB_QUEUED, JOB_RUNNING, JOB_WAITING, type Job } from './job.js';

export interface JobStore {
  /** Next handle number (starts at 1, shared by all functions). */
  nextId(): number;
  getFunction(name: string): FunctionEntry | undefined;
  /** Functions exist from their first mention until dropped. */
  ensureFunction(name: string): FunctionEntry;
  /** Forgets an empty function; false when it still has jobs. */
  dropFunction(fn: FunctionEntry): boolean;
  functions(): IterableIterator<FunctionEntry>;
  /** Indexes a new job by handle and unique (state stays as created). */
  add(job: Job): void;
  /** Links a job at the tail of its priority queue (new or re-queued). */
  enqueue(job: Job): void;
  /** Unlinks a job from its queue if queued; marks it RUNNING. */
  markRunning(job: Job): void;
  /** Removes a job from every index and queue; state becomes GONE. */
  remove(job: Job): void;
  byId(id: number): Job | undefined;
  byUnique(fn: FunctionEntry, key: string): Job | undefined;
  /** Newest job with this unique in any function (GET_STATUS_UNIQUE). */
  newestByUnique(unique: string): Job | undefined;
  jobs(): IterableIterator<Job>;
  readonly size: number;
}

export class MemoryJobStore implements JobStore {
  private lastId = 0;
  private readonly fns = new Map<string, FunctionEntry>();
  private readonly byHandle = new Map<number, Job>();

  nextId(): number {
    return ++this.lastId;
  }

  get size(): number {
    return this.byHandle.size;
  }

  getFunction(name: string): FunctionEntry | undefined {
    return this.fns.get(name);
  }

  ensureFunction(name: string): FunctionEntry {
    let fn = this.fns.get(name);
    if (!fn) {
      fn = new FunctionEntry(name);
      this.fns.set(name, fn);
    }
    return fn;
  }

  dropFunction(fn: FunctionEntry): boolean {
    if (fn.total > 0) return false;
    fn.dropped = true;
    return this.fns.delete(fn.name);
  }

  functions(): IterableIterator<FunctionEntry> {
    return this.fns.values();
  }

  add(job: Job): void {
    this.byHandle.set(job.id, job);
    if (job.uniqueKey !== '') job.fn.uniques.set(job.uniqueKey, job);
    if (job.state === JOB_WAITING) job.fn.waiting++;
  }

  enqueue(job: Job): void {
    if (job.state === JOB_WAITING) job.fn.waiting--;
    else if (job.state === JOB_RUNNING) job.fn.running--;
    job.state = JOB_QUEUED;
    job.fn.queues[job.priority].push(job);
  }

  markRunning(job: Job): void {
    if (job.state === JOB_QUEUED && (job.prev || job.fn.queues[job.priority].head === job)) {
      job.fn.queues[job.priority].remove(job);
    }
    job.state = JOB_RUNNING;
    job.fn.running++;
  }

  remove(job: Job): void {
    const fn = job.fn;
    switch (job.state) {
      case JOB_QUEUED:
        // Jobs taken by takeRunnable() are already unlinked; only unlink what is still linked.
        if (job.prev || fn.queues[job.priority].head === job) fn.queues[job.priority].remove(job);
        break;
      case JOB_RUNNING:
        fn.running--;
        break;
      case JOB_WAITING:
        fn.waiting--;
        break;
      default:
        return;
    }
    job.state = JOB_GONE;
    this.byHandle.delete(job.id);
    if (job.uniqueKey !== '' && fn.uniques.get(job.uniqueKey) === job) fn.uniques.delete(job.uniqueKey);
  }

  byId(id: number): Job | undefined {
    return this.byHandle.get(id);
  }

  byUnique(fn: FunctionEntry, key: string): Job | undefined {
    return fn.uniques.get(key);
  }

  newestByUnique(unique: string): Job | undefined {
    let best: Job | undefined;
    for (const fn of this.fns.values()) {
      const job = fn.uniques.get(unique);
      if (job && job.unique === unique && (!best || job.id > best.id)) best = job;
    }
    return best;
  }

  jobs(): IterableIterator<Job> {
    return this.byHandle.values();
  }
}
