// Where the server keeps functions and jobs: the JobStore interface the server logic goes through for
// every job, queue, unique and limit, and the in-memory store. The memory store is the one owner of
// Job.state: each transition below asserts the states a job may come from. O(1) per operation.

import type { StoreStatus } from '../protocol/admin-text.js';
import {
  type Commit,
  FunctionEntry,
  JOB_GONE,
  JOB_PENDING,
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_STATE_NAMES,
  JOB_WAITING,
  Job,
  type JobState,
  type Priority,
} from './model.js';

export type { StoreStatus } from '../protocol/admin-text.js';

/** What a submission asks for; the store assigns the handle and the first state. */
export interface NewJob {
  fn: FunctionEntry;
  unique: string;
  /** Coalescing key ('' = none). */
  uniqueKey: string;
  payload: Buffer;
  priority: Priority;
  background: boolean;
  reducer: string | null;
  /** Unix ms before which it must not run; 0 = due now. */
  notBeforeMs: number;
}

/** How a durable store tells the server logic that PENDING jobs' commit settled. */
export interface StoreEvents {
  /** These jobs' rows committed: each is now WAITING or QUEUED. Called before their replies go out. */
  committed(jobs: readonly Job[]): void;
  /** These jobs' commit failed: still PENDING; the server ends them and their clients get an ERROR. */
  notCommitted(jobs: readonly Job[]): void;
  /** A group commit took this long (gmsup_store_commit_duration_seconds). */
  commitTook?(seconds: number): void;
}

export interface JobStore {
  /** Loads what a durable store holds (as WAITING/QUEUED jobs) before the server accepts connections. */
  open(events: StoreEvents): Promise<void>;
  /** Commits what is pending and releases the backing store. */
  close(): Promise<void>;
  status(): StoreStatus;
  /** False while a durable store fails: a new background job is refused (QUEUE_ERROR), not acknowledged. */
  canPersist(): boolean;

  getFunction(name: string): FunctionEntry | undefined;
  /** Functions exist from their first mention until dropped. */
  ensureFunction(name: string): FunctionEntry;
  /** Forgets an empty function; false when it still has jobs. */
  dropFunction(fn: FunctionEntry): boolean;
  functions(): IterableIterator<FunctionEntry>;
  /** maxqueue limits per priority (0 = unlimited). */
  setMaxQueue(fn: FunctionEntry, limits: [number, number, number]): void;
  /** False when a new job of `priority` would exceed the function's maxqueue limit. */
  hasRoom(fn: FunctionEntry, priority: Priority): boolean;

  byId(id: number): Job | undefined;
  /** The live job holding a coalescing key in `fn`. */
  byUnique(fn: FunctionEntry, key: string): Job | undefined;
  /** Newest job with this unique in any function (GET_STATUS_UNIQUE). */
  newestByUnique(unique: string): Job | undefined;
  jobs(): IterableIterator<Job>;
  readonly size: number;

  /** new -> PENDING (durable store, background job) | WAITING (epoch not due) | QUEUED. */
  create(spec: NewJob): Job;
  /** The commit a PENDING job's JOB_CREATED must wait for; null when it is durable or never will be. */
  commitOf(job: Job): Commit | null;
  /** WAITING -> QUEUED: an epoch job fell due. */
  release(job: Job): void;
  /** QUEUED -> RUNNING: the head of the highest non-empty queue of `fn`, or null. */
  takeRunnable(fn: FunctionEntry): Job | null;
  /** RUNNING -> QUEUED: the job lost its worker; back to the tail of its queue. */
  requeue(job: Job): void;
  /** PENDING | WAITING | QUEUED | RUNNING -> GONE: completed, failed, cancelled or abandoned. */
  remove(job: Job): void;
}

const bit = (s: JobState): number => 1 << s;
const LIVE = bit(JOB_PENDING) | bit(JOB_WAITING) | bit(JOB_QUEUED) | bit(JOB_RUNNING);

/** The one writer of Job.state: checks that `job` is in one of the `from` states (a bit set). */
function moveJob(job: Job, from: number, to: JobState): void {
  if ((bit(job.state) & from) === 0) {
    throw new Error(`job ${job.id}: ${JOB_STATE_NAMES[job.state]} -> ${JOB_STATE_NAMES[to]} is not a transition`);
  }
  (job as { state: JobState }).state = to;
}

export class MemoryJobStore implements JobStore {
  private lastId = 0;
  private readonly fns = new Map<string, FunctionEntry>();
  private readonly byHandle = new Map<number, Job>();

  private readonly openedAtMs = Date.now();

  async open(_events: StoreEvents): Promise<void> {}

  async close(): Promise<void> {}

  status(): StoreStatus {
    return {
      store: 'memory',
      state: 'ok',
      sinceMs: this.openedAtMs,
      error: null,
      failedAttempts: 0,
      pendingWrites: 0,
      loadedJobs: 0,
      takenOverJobs: 0,
      loadMs: 0,
      committedBatches: 0,
      failedCommits: 0,
    };
  }

  canPersist(): boolean {
    return true;
  }

  /** Next handle number (starts at 1, shared by all functions); never below a loaded job's. */
  protected nextId(): number {
    return ++this.lastId;
  }

  /** The last handle number issued. */
  protected get lastIssuedId(): number {
    return this.lastId;
  }

  /** Makes later handles larger than `id` (a durable store loading its jobs). */
  protected reserveId(id: number): void {
    if (id > this.lastId) this.lastId = id;
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

  setMaxQueue(fn: FunctionEntry, limits: [number, number, number]): void {
    fn.maxQueue = limits;
  }

  hasRoom(fn: FunctionEntry, priority: Priority): boolean {
    const limit = fn.maxQueue[priority];
    return limit <= 0 || fn.total < limit;
  }

  create(spec: NewJob): Job {
    // new -> WAITING | QUEUED (the memory store has nothing to commit)
    return this.build(spec, this.nextId(), spec.notBeforeMs > 0 ? JOB_WAITING : JOB_QUEUED);
  }

  commitOf(_job: Job): Commit | null {
    return null;
  }

  /** A new (or loaded) job in its first state, findable by handle and unique, counted and queued. */
  protected build(spec: NewJob, id: number, state: typeof JOB_PENDING | typeof JOB_WAITING | typeof JOB_QUEUED): Job {
    const { fn, priority } = spec;
    const job = new Job(
      id,
      fn,
      spec.unique,
      spec.uniqueKey,
      spec.payload,
      priority,
      spec.background,
      spec.reducer,
      spec.notBeforeMs,
      state,
    );
    this.byHandle.set(id, job);
    if (job.uniqueKey !== '') fn.uniques.set(job.uniqueKey, job);
    if (state === JOB_PENDING) fn.pending[priority]++;
    else if (state === JOB_WAITING) fn.waiting++;
    else fn.queues[priority].push(job);
    return job;
  }

  /** PENDING -> WAITING | QUEUED: the job's row committed (durable stores). */
  protected admitCommitted(job: Job): void {
    const fn = job.fn;
    const to = job.notBeforeMs > 0 ? JOB_WAITING : JOB_QUEUED;
    moveJob(job, bit(JOB_PENDING), to);
    fn.pending[job.priority]--;
    if (to === JOB_WAITING) fn.waiting++;
    else fn.queues[job.priority].push(job);
  }

  release(job: Job): void {
    // WAITING -> QUEUED
    moveJob(job, bit(JOB_WAITING), JOB_QUEUED);
    job.fn.waiting--;
    job.fn.queues[job.priority].push(job);
  }

  takeRunnable(fn: FunctionEntry): Job | null {
    const q = fn.queues;
    const job = q[0].head !== null ? q[0].shift() : q[1].head !== null ? q[1].shift() : q[2].shift();
    if (job === null) return null;
    // QUEUED -> RUNNING
    moveJob(job, bit(JOB_QUEUED), JOB_RUNNING);
    fn.running++;
    return job;
  }

  requeue(job: Job): void {
    // RUNNING -> QUEUED
    moveJob(job, bit(JOB_RUNNING), JOB_QUEUED);
    job.fn.running--;
    job.fn.queues[job.priority].push(job);
  }

  remove(job: Job): void {
    const fn = job.fn;
    const from = job.state;
    // PENDING | WAITING | QUEUED | RUNNING -> GONE
    moveJob(job, LIVE, JOB_GONE);
    if (from === JOB_QUEUED) fn.queues[job.priority].remove(job);
    else if (from === JOB_RUNNING) fn.running--;
    else if (from === JOB_WAITING) fn.waiting--;
    else fn.pending[job.priority]--;
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
