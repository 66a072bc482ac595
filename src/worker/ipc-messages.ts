// Messages between the daemon and a worker process over the Node IPC channel, named by direction.
// Discriminated unions: both sides switch on `type` and the compiler checks every case.

import type { WorkerSpec } from './spec.js';
import type { SerializedError } from '../shared/errors.js';

/** Daemon -> worker. */
export type ParentMessage =
  /**
   * `ipcBatchMs` (optional, opt-in): report job ends at most this often, several at once as `job:ends`.
   * Without it every job sends its own `job:end` (at thousands of jobs/s that costs more than the jobs).
   * `index`: the instance number, set as GMSUP_INDEX (a warm spare was spawned before it had one).
   */
  | { type: 'worker:init'; spec: WorkerSpec; clientId: string; index?: number; ipcBatchMs?: number }
  /** Stop grabbing, finish in-flight jobs within spec.stopTimeoutMs, exit 0. */
  | { type: 'worker:stop'; reason: string }
  /** Re-send CAN_DO on every connection (the daemon saw a registration vanish). */
  | { type: 'worker:reregister' };

export interface CurrentJob {
  handle: string;
  function: string;
  startedAtMs: number;
}

export interface JobEnd {
  handle: string;
  function: string;
  durationMs: number;
  ok: boolean;
}

/** Worker -> daemon. */
export type ChildMessage =
  | { type: 'worker:ready'; functions: string[] }
  | { type: 'worker:init-failed'; error: SerializedError }
  | { type: 'server:state'; server: string; connected: boolean; registered: boolean; error?: string }
  | { type: 'job:start'; job: CurrentJob }
  | { type: 'job:end'; handle: string; function: string; durationMs: number; ok: boolean }
  /** Only when init set `ipcBatchMs`: several job:start at once, same meaning as one job:start each. */
  | { type: 'job:starts'; jobs: CurrentJob[] }
  /** Only when init set `ipcBatchMs`: several job:end at once, same meaning as one job:end each. */
  | { type: 'job:ends'; ends: JobEnd[] }
  | { type: 'worker:draining'; reason: string }
  | { type: 'worker:exiting'; reason: 'max-jobs' | 'stopped' | 'parent-gone' | 'error' };

export function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
