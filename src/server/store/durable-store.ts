// A JobStore whose background jobs survive a crash: the in-memory store plus a database behind a
// StoreBackend. A new background job stays PENDING (JOB_CREATED held) until its row is committed; rows
// go in group commits (one per event-loop turn while replies wait; deletes alone wait up to
// deleteDelayMs); a completed, failed or cancelled job's row is deleted. A failed commit refuses new
// background jobs (QUEUE_ERROR) and keeps the deletes for a retry with backoff.

import type { Clock, TimerHandle } from '../../shared/clock.js';
import { MemoryJobStore, type NewJob, type StoreEvents, type StoreStatus } from '../job-store.js';
import { Commit, JOB_PENDING, JOB_QUEUED, JOB_WAITING, type Job } from '../model.js';
import { type OpenReport, reasonOf, type StoreBackend, type StoredJob } from './backend.js';
import { type HealthEvent, nextHealth, type StoreHealth } from './store-health.js';

export interface DurableStoreOptions {
  clock: Clock;
  log?: (line: string) => void;
  /** Deletes no reply waits for are committed at most this much later (default 20 ms). */
  deleteDelayMs?: number;
  /** ... or as soon as this many are pending (default 4096). */
  maxPendingDeletes?: number;
}

const DEFAULT_DELETE_DELAY_MS = 20;
/** Group commit tuning (flushNow): a batch this large goes at once ... */
const GROUP_TARGET_JOBS = 32;
/** ... a smaller one waits at most this many more loop turns ... */
const MAX_HELD_TURNS = 2;
/** ... and only while the previous commit ended less than this long ago (the server is busy). */
const BUSY_WINDOW_MS = 1;
const DEFAULT_MAX_PENDING_DELETES = 4096;

/** The writes of one group commit, and the Commit its held replies wait for. */
class Batch {
  readonly commit = new Commit();
  inserts: Job[] = [];
  deletes: number[] = [];
  deleteRanges: Array<[number, number]> = [];
  lastHandle = 0;
  /** performance.now() when its commit began. */
  startedMs = 0;

  get empty(): boolean {
    return this.inserts.length === 0 && this.deletes.length === 0;
  }
}

export class DurableJobStore extends MemoryJobStore {
  private events: StoreEvents | null = null;
  /** Collects this turn's writes. */
  private next = new Batch();
  /** Being committed (at most one at a time: commits settle in order). */
  private writing: Batch | null = null;
  private writingDone: Promise<void> | null = null;
  private readonly commits = new Map<Job, Commit>();
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private timer: TimerHandle | null = null;
  private health: StoreHealth;
  /** Set while jobs whose commit failed are ended: their rows were never written, nothing to delete. */
  private dropping = false;
  private closing = false;
  private report: OpenReport = { loaded: 0, takenOver: 0 };
  private loadMs = 0;
  private committedBatches = 0;
  private failedCommits = 0;
  private readonly deleteDelayMs: number;
  private readonly maxPendingDeletes: number;
  /** Loop turns the current batch was held back to gather more jobs (see flushNow). */
  private heldTurns = 0;
  private lastCommitMs = 0;
  private readonly flushNow = (): void => {
    this.immediate = null;
    // Group commit under load: while commits follow each other closely, a small batch waits up to
    // MAX_HELD_TURNS more loop turns (each one reads every socket that became readable) so that one
    // commit serves more jobs. An idle server commits at the end of the very turn.
    const n = this.next.inserts.length;
    if (
      n > 0 &&
      n < GROUP_TARGET_JOBS &&
      this.heldTurns < MAX_HELD_TURNS &&
      performance.now() - this.lastCommitMs < BUSY_WINDOW_MS
    ) {
      this.heldTurns++;
      this.immediate = setImmediate(this.flushNow);
      return;
    }
    this.heldTurns = 0;
    this.flush();
  };

  constructor(
    private readonly backend: StoreBackend,
    private readonly options: DurableStoreOptions,
  ) {
    super();
    this.health = { state: 'ok', sinceMs: options.clock.now() };
    this.deleteDelayMs = options.deleteDelayMs ?? DEFAULT_DELETE_DELAY_MS;
    this.maxPendingDeletes = options.maxPendingDeletes ?? DEFAULT_MAX_PENDING_DELETES;
  }

  override async open(events: StoreEvents): Promise<void> {
    this.events = events;
    const startedMs = Date.now();
    const nowMs = this.options.clock.now();
    this.report = await this.backend.open({
      reserveHandle: (handle) => this.reserveId(handle),
      job: (row) => this.load(row, nowMs),
      newHandle: () => this.nextId(),
    });
    this.loadMs = Date.now() - startedMs;
    this.health = { state: 'ok', sinceMs: this.options.clock.now() };
  }

  /** A stored job back in memory: due ones QUEUED (FIFO per priority, in handle order), later epochs WAITING. */
  private load(row: StoredJob, nowMs: number): void {
    this.reserveId(row.handle);
    const fn = this.ensureFunction(row.fn);
    const payload = row.payload;
    let uniqueKey = row.unique === '-' ? (payload.length > 0 ? `\0${payload.toString('latin1')}` : '') : row.unique;
    // Two stored jobs with one unique (gearmand's table allows it for '-'): both run, the first coalesces.
    if (uniqueKey !== '' && fn.uniques.has(uniqueKey)) uniqueKey = '';
    const due = row.runAtMs <= nowMs;
    const spec: NewJob = {
      fn,
      unique: row.unique,
      uniqueKey,
      payload,
      priority: row.priority,
      background: true,
      reducer: row.reducer,
      notBeforeMs: due ? 0 : row.runAtMs,
    };
    // stored -> QUEUED | WAITING
    this.build(spec, row.handle, due ? JOB_QUEUED : JOB_WAITING);
  }

  override create(spec: NewJob): Job {
    if (!spec.background) return super.create(spec); // foreground jobs die with their client: not stored
    // new -> PENDING until its row is committed
    const job = this.build(spec, this.nextId(), JOB_PENDING);
    this.next.inserts.push(job);
    this.commits.set(job, this.next.commit);
    if (this.immediate === null) this.immediate = setImmediate(this.flushNow);
    return job;
  }

  override canPersist(): boolean {
    return this.health.state === 'ok' && !this.closing;
  }

  override commitOf(job: Job): Commit | null {
    return job.state === JOB_PENDING ? (this.commits.get(job) ?? null) : null;
  }

  override remove(job: Job): void {
    super.remove(job);
    if (!job.background || this.dropping) return;
    this.next.deletes.push(job.id);
    if (this.next.deletes.length >= this.maxPendingDeletes) {
      if (this.immediate === null) this.immediate = setImmediate(this.flushNow);
    } else {
      this.armDeleteTimer();
    }
  }

  private armDeleteTimer(): void {
    if (this.timer !== null || this.health.state !== 'ok') return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.deleteDelayMs);
  }

  /** Starts committing the collected writes unless a commit is under way or the store is failing. */
  private flush(): void {
    if (this.writing !== null || this.health.state !== 'ok' || this.next.empty) return;
    if (this.timer !== null) {
      this.options.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.next;
    this.next = new Batch();
    this.dropCancelled(batch);
    batch.deleteRanges = deleteRanges(batch.deletes, (handle) => this.byId(handle) !== undefined);
    batch.lastHandle = this.lastIssuedId;
    batch.startedMs = performance.now();
    this.writing = batch;
    let result: void | Promise<void>;
    try {
      result = batch.empty ? undefined : this.backend.commit(batch);
    } catch (err) {
      this.batchFailed(batch, err);
      return;
    }
    if (result instanceof Promise) {
      this.writingDone = result.then(
        () => this.batchCommitted(batch),
        (err: unknown) => this.batchFailed(batch, err),
      );
    } else {
      this.batchCommitted(batch);
    }
  }

  /** A job cancelled while PENDING in this very batch: neither its insert nor its delete is written. */
  private dropCancelled(batch: Batch): void {
    let gone: Set<number> | null = null;
    for (const job of batch.inserts) {
      if (job.state === JOB_PENDING) continue;
      (gone ??= new Set()).add(job.id);
      this.commits.delete(job);
    }
    if (gone === null) return;
    const skip = gone;
    batch.deletes = batch.deletes.filter((id) => !skip.has(id));
    batch.inserts = batch.inserts.filter((job) => !skip.has(job.id));
  }

  /** PENDING -> WAITING | QUEUED for the batch's jobs, then their held replies go out. */
  private batchCommitted(batch: Batch): void {
    this.lastCommitMs = performance.now();
    if (!batch.empty) this.events?.commitTook?.((this.lastCommitMs - batch.startedMs) / 1000);
    this.writing = null;
    this.writingDone = null;
    this.committedBatches++;
    this.onHealth({ type: 'committed', nowMs: this.options.clock.now() });
    const durable: Job[] = [];
    for (const job of batch.inserts) {
      this.commits.delete(job);
      if (job.state === JOB_PENDING) {
        this.admitCommitted(job);
        durable.push(job);
      }
    }
    if (durable.length > 0) this.events?.committed(durable);
    batch.commit.settle(true);
    this.afterCommit();
  }

  private batchFailed(batch: Batch, err: unknown): void {
    this.writing = null;
    this.writingDone = null;
    this.failedCommits++;
    this.onHealth({ type: 'failed', nowMs: this.options.clock.now(), error: reasonOf(err) });
    // Every job not yet committed is refused now (this batch's and the next one's); deletes are kept.
    const queued = this.next;
    this.next = new Batch();
    this.next.deletes = batch.deletes.concat(queued.deletes);
    const refused: Job[] = [];
    for (const b of [batch, queued]) {
      for (const job of b.inserts) {
        this.commits.delete(job);
        if (job.state === JOB_PENDING) refused.push(job);
      }
    }
    this.dropping = true;
    try {
      if (refused.length > 0) this.events?.notCommitted(refused);
    } finally {
      this.dropping = false;
    }
    batch.commit.settle(false);
    queued.commit.settle(false);
  }

  private afterCommit(): void {
    if (this.next.inserts.length > 0 || this.next.deletes.length >= this.maxPendingDeletes) {
      if (this.immediate === null) this.immediate = setImmediate(this.flushNow);
    } else if (this.next.deletes.length > 0) {
      this.armDeleteTimer();
    }
  }

  private onHealth(event: HealthEvent): void {
    const { health, effects } = nextHealth(this.health, event, this.backend.name);
    this.health = health;
    for (const e of effects) {
      if (e.type === 'log') this.options.log?.(e.line);
      else if (e.type === 'retry') this.scheduleRetry(e.delayMs);
    }
  }

  private scheduleRetry(delayMs: number): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      void this.retry();
    }, delayMs);
  }

  /** FAILING: a real write (the backend reconnects if it must); on success commits resume. */
  private async retry(): Promise<void> {
    if (this.health.state !== 'failing' || this.closing) return;
    try {
      await this.backend.probe();
    } catch (err) {
      this.failedCommits++;
      this.onHealth({ type: 'failed', nowMs: this.options.clock.now(), error: reasonOf(err) });
      return;
    }
    this.onHealth({ type: 'committed', nowMs: this.options.clock.now() });
    this.flush();
  }

  override status(): StoreStatus {
    const h = this.health;
    const writing = this.writing === null ? 0 : this.writing.inserts.length + this.writing.deletes.length;
    return {
      store: this.backend.name,
      state: h.state,
      sinceMs: h.sinceMs,
      error: h.state === 'failing' ? h.error : null,
      failedAttempts: h.state === 'failing' ? h.attempts : 0,
      pendingWrites: writing + this.next.inserts.length + this.next.deletes.length,
      loadedJobs: this.report.loaded + this.report.takenOver,
      takenOverJobs: this.report.takenOver,
      loadMs: this.loadMs,
      committedBatches: this.committedBatches,
      failedCommits: this.failedCommits,
    };
  }

  /** Commits what is left (a few tries), then closes the database. */
  override async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.writingDone !== null) await this.writingDone;
      if (this.health.state === 'failing') {
        try {
          await this.backend.probe();
          this.onHealth({ type: 'committed', nowMs: this.options.clock.now() });
        } catch {
          continue;
        }
      }
      this.flush();
      if (this.writingDone !== null) await this.writingDone;
      if (this.next.empty && this.writing === null) break;
    }
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    const left = this.next.deletes.length;
    if (left > 0) {
      this.options.log?.(
        `job store ${this.backend.name}: ${left} finished jobs' rows could not be removed; they run again`,
      );
    }
    await this.backend.close();
  }
}

/**
 * Sorted, de-duplicated handles as inclusive ranges; a range never spans a live job's handle (`live`),
 * which may still have, or be about to get, a row. Handles in between that are not live (foreground
 * jobs, finished ones) have no row, so deleting "them" is harmless.
 */
export function deleteRanges(handles: readonly number[], live: (handle: number) => boolean): Array<[number, number]> {
  const sorted = Float64Array.from(handles).sort();
  const ranges: Array<[number, number]> = [];
  let lo = -1;
  let hi = -1;
  for (const h of sorted) {
    if (h === hi) continue;
    let joins = lo >= 0;
    for (let between = hi + 1; joins && between < h; between++) if (live(between)) joins = false;
    if (joins) hi = h;
    else {
      if (lo >= 0) ranges.push([lo, hi]);
      lo = h;
      hi = h;
    }
  }
  if (lo >= 0) ranges.push([lo, hi]);
  return ranges;
}
