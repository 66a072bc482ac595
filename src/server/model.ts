// The server's data: jobs and the intrusive FIFO their queues are made of, functions, connections as the
// logic sees them, and the group commit that JOB_CREATED replies of a durable store wait for. These refer
// to each other, so they share one file; fields only, plus the few methods that read them. Job.state and
// the counters of FunctionEntry are written by the JobStore alone (job-store.ts owns the transitions).

import type { TimerHandle } from '../shared/clock.js';
import type { FunctionCounters } from './metrics.js';

export const PRIORITY_HIGH = 0;
export const PRIORITY_NORMAL = 1;
export const PRIORITY_LOW = 2;
export type Priority = 0 | 1 | 2;

/**
 * Job states (transitions: MemoryJobStore, each asserting where the job comes from):
 *   PENDING  background job accepted by a durable store, its row not committed yet: in no queue, and
 *            its JOB_CREATED waits for the commit (the memory store never uses it)
 *   WAITING  background epoch job not yet due (in the epoch heap, not in a queue)
 *   QUEUED   linked into its function's queue for `priority`
 *   RUNNING  assigned to `worker`
 *   GONE     completed, failed, cancelled, dropped or not committed; every index has forgotten it
 */
export const JOB_PENDING = 0;
export const JOB_WAITING = 1;
export const JOB_QUEUED = 2;
export const JOB_RUNNING = 3;
export const JOB_GONE = 4;
export type JobState = 0 | 1 | 2 | 3 | 4;
export const JOB_STATE_NAMES = ['PENDING', 'WAITING', 'QUEUED', 'RUNNING', 'GONE'] as const;

export class Job {
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
  timer: TimerHandle | null = null;
  /** runClock() (metrics.ts) at the current assignment; -1 while not running. */
  startedMs = -1;

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
    /** The first state, set by the store that creates the job; later written only by its transitions. */
    readonly state: JobState,
  ) {}
}

/** A job some index still knows: not GONE (GET_STATUS, cancel and `show jobs` see these). */
export function isLive(job: Job | undefined): job is Job {
  return job !== undefined && job.state !== JOB_GONE;
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

  /** True when `job` is linked into this list. */
  holds(job: Job): boolean {
    return job.prev !== null || this.head === job;
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

/**
 * One Gearman function known to the server: its three priority queues, counters, queue limits, the
 * workers that can do it and the coalescing index of its uniques. Queues, counters, uniques and limits
 * are written by the JobStore; workers and sleepers by the server logic.
 */
export class FunctionEntry {
  readonly nameBytes: Buffer;
  /** Queues by priority: high, normal, low. */
  readonly queues: [JobList, JobList, JobList] = [new JobList(), new JobList(), new JobList()];
  /** Jobs assigned to a worker. */
  running = 0;
  /** Epoch jobs not yet due: counted as queued at normal priority. */
  waiting = 0;
  /** PENDING jobs per priority: counted as queued (and against maxqueue) until their commit settles. */
  readonly pending: [number, number, number] = [0, 0, 0];
  /** maxqueue limits per priority, 0 = unlimited. */
  maxQueue: [number, number, number] = [0, 0, 0];
  /** Connections that registered this function. */
  readonly workers = new Set<ServerConn>();
  /** Registered connections that sent PRE_SLEEP and were not woken since (may hold stale entries). */
  readonly sleepers = new Set<ServerConn>();
  readonly uniques = new Map<string, Job>();
  /** Set once `drop function` removed it, so cached references notice. */
  dropped = false;
  /** This function's metrics counters, cached by ServerMetrics.of (kept by name across a drop). */
  counters: FunctionCounters | null = null;

  constructor(readonly name: string) {
    this.nameBytes = Buffer.from(name, 'latin1');
  }

  get queued(): number {
    const q = this.queues;
    const p = this.pending;
    return q[0].length + q[1].length + q[2].length + this.waiting + p[0] + p[1] + p[2];
  }

  get total(): number {
    return this.queued + this.running;
  }

  queuedAt(priority: Priority): number {
    const extra = priority === PRIORITY_NORMAL ? this.waiting : 0;
    return this.queues[priority].length + this.pending[priority] + extra;
  }

  hasRunnable(): boolean {
    return this.queues[0].head !== null || this.queues[1].head !== null || this.queues[2].head !== null;
  }
}

/** The I/O side of a connection, as the server logic sees it. */
export interface Peer {
  /** Queues bytes; the connection flushes once per tick. */
  write(chunk: Buffer): void;
  /** Closes the connection after queued bytes are flushed. */
  end(): void;
  /** A decoded view to keep beyond this packet: the view itself when that pins no foreign bytes, else a copy. */
  keep?(view: Buffer): Buffer;
}

export interface Ability {
  fn: FunctionEntry;
  /** CAN_DO_TIMEOUT in ms; 0 = none. */
  timeoutMs: number;
}

export type Reply = Buffer | [Buffer, Buffer];

/**
 * One group commit of a durable store. A reply that promises durability (JOB_CREATED) is held until
 * its commit settles, and every later reply on that connection waits behind it, so replies keep request
 * order. Commits settle in the order they were begun.
 */
export class Commit {
  outcome: 'pending' | 'committed' | 'failed' = 'pending';
  private readonly waiters = new Set<ServerConn>();

  wait(conn: ServerConn): void {
    this.waiters.add(conn);
  }

  /** Records the outcome and lets each waiting connection send what it held. */
  settle(committed: boolean): void {
    this.outcome = committed ? 'committed' : 'failed';
    for (const conn of this.waiters) conn.releaseHeld();
    this.waiters.clear();
  }
}

/** A reply held for a commit: `ok` once it committed, `failed` (an ERROR packet) if it did not. */
class HeldReply {
  constructor(
    readonly commit: Commit,
    readonly ok: Reply,
    readonly failed: Reply,
  ) {}
}

const RECENT_DONE_SLOTS = 8;

/** What a connection turned out to be (/metrics): a worker once it sent CAN_DO, admin once it sent a text command. */
export const CONN_CLIENT = 0;
export const CONN_WORKER = 1;
export const CONN_ADMIN = 2;
/** An HTTP request submitting through the server logic (local-gateway.ts). */
export const CONN_HTTP = 3;
export type ConnKind = 0 | 1 | 2 | 3;
export const CONN_KIND_NAMES = ['client', 'worker', 'admin', 'http'] as const;

/**
 * What the server's logic knows about one connection (client, worker or admin: Gearman does not tell
 * them apart): abilities, sleep state, options, held and attached jobs. Sends go through a Peer port.
 */
export class ServerConn {
  clientId = '-';
  kind: ConnKind = CONN_CLIENT;
  exceptions = false;
  /** Sent PRE_SLEEP and was neither woken (NOOP) nor grabbed since. */
  sleeping = false;
  /** Registrations, oldest first (GRAB walks them newest first, as gearmand 1.1.20 does). */
  readonly abilities: Ability[] = [];
  /** Jobs assigned to this connection. */
  readonly held = new Set<Job>();
  /** Foreground jobs this connection waits on. */
  readonly attached = new Set<Job>();
  /** Payload bytes of the jobs in `attached`: memory this client's pending work holds (back-pressure). */
  attachedBytes = 0;
  /** Handle numbers this connection just finished, to ignore a repeated WORK_FAIL/COMPLETE/EXCEPTION. */
  private readonly recentDone: number[] = [];
  private recentPos = 0;
  /** Last function this connection submitted to: skips the name lookup for runs of one function. */
  lastFn: FunctionEntry | null = null;
  closed = false;
  /** Replies waiting behind an unsettled commit, in send order; null when none (the common case). */
  private waiting: Array<Reply | HeldReply> | null = null;

  constructor(
    readonly peer: Peer,
    /** Number shown in the `workers` list (the socket's fd when known). */
    readonly fd: number,
    readonly ip: string,
  ) {}

  send(chunk: Reply): void {
    if (this.closed) return;
    if (this.waiting !== null) this.waiting.push(chunk);
    else this.write(chunk);
  }

  /** Sends `ok` once `commit` committed (`failed` if it failed); null = nothing to wait for. */
  sendAfter(commit: Commit | null, ok: Reply, failed: Reply): void {
    if (commit === null || commit.outcome === 'committed') this.send(ok);
    else if (commit.outcome === 'failed') this.send(failed);
    else if (!this.closed) {
      (this.waiting ??= []).push(new HeldReply(commit, ok, failed));
      commit.wait(this);
    }
  }

  /** Sends held replies up to the first one whose commit is still pending. */
  releaseHeld(): void {
    const waiting = this.waiting;
    if (waiting === null) return;
    let i = 0;
    for (; i < waiting.length; i++) {
      const r = waiting[i]!;
      if (!(r instanceof HeldReply)) this.write(r);
      else if (r.commit.outcome === 'pending') break;
      else this.write(r.commit.outcome === 'committed' ? r.ok : r.failed);
    }
    this.waiting = i === waiting.length ? null : waiting.slice(i);
  }

  private write(chunk: Reply): void {
    if (this.closed) return;
    if (Array.isArray(chunk)) {
      this.peer.write(chunk[0]);
      this.peer.write(chunk[1]);
    } else {
      this.peer.write(chunk);
    }
  }

  /** Bytes of a received packet to store (job payloads): a copy unless the peer can hand over the view. */
  keep(view: Buffer): Buffer {
    return this.peer.keep !== undefined ? this.peer.keep(view) : Buffer.from(view);
  }

  rememberDone(id: number): void {
    if (this.recentDone.length < RECENT_DONE_SLOTS) this.recentDone.push(id);
    else this.recentDone[this.recentPos] = id;
    this.recentPos = (this.recentPos + 1) % RECENT_DONE_SLOTS;
  }

  justFinished(id: number): boolean {
    return this.recentDone.includes(id);
  }
}
