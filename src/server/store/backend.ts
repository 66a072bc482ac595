// The port between the durable job store and a database: open (create the table, load every stored
// job, take over gearmand's queue table), commit one batch atomically, probe after a failure, close.

import { GmsupError } from '../../shared/errors.js';
import type { Job, Priority } from '../model.js';

/** One stored background job as read back. Strings hold the bytes as sent (latin1). */
export interface StoredJob {
  handle: number;
  fn: string;
  unique: string;
  priority: Priority;
  /** SUBMIT_JOB_EPOCH run time in Unix ms; 0 = due at once. */
  runAtMs: number;
  reducer: string | null;
  payload: Buffer;
}

/** Receives what open() reads, in handle (= submission) order. */
export interface LoadSink {
  /** Handles up to `handle` were issued before: later ones must be larger. */
  reserveHandle(handle: number): void;
  job(job: StoredJob): void;
  /** A fresh handle for a job taken over from gearmand's table (which has none). */
  newHandle(): number;
}

export interface OpenReport {
  /** Jobs read from gmsup's own table. */
  loaded: number;
  /** Jobs moved from gearmand's queue table into gmsup's. */
  takenOver: number;
}

/** One group commit: new rows first, then deletes (a job may be removed in the batch after its insert). */
export interface WriteBatch {
  readonly inserts: readonly Job[];
  /**
   * Handles to delete as inclusive ranges: finished jobs' handles with no live job between them, so a
   * FIFO drain of thousands of jobs is one range (a range delete costs about half a point delete).
   */
  readonly deleteRanges: ReadonlyArray<readonly [number, number]>;
  /** The highest handle issued so far (foreground ones too): handles after a restart start above it. */
  readonly lastHandle: number;
}

export interface StoreBackend {
  /** The store as shown in messages (password hidden). */
  readonly name: string;
  /** Rejects with a STORE_UNAVAILABLE GmsupError naming the store and the reason. */
  open(sink: LoadSink): Promise<OpenReport>;
  /** All of the batch or nothing; throws (or rejects) when it cannot tell that it committed. */
  commit(batch: WriteBatch): void | Promise<void>;
  /** A real write, after a failure: succeeds once the store accepts commits again (reconnecting if need be). */
  probe(): void | Promise<void>;
  close(): Promise<void>;
}

/** The reason a driver gave, on one line. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}

/** The start-up error: one line naming the store, exit code 2. */
export function cannotOpen(name: string, why: string, cause?: unknown): GmsupError {
  return new GmsupError('STORE_UNAVAILABLE', `job store ${name}: ${why}`, { cause });
}
