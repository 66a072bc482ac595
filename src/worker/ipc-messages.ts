// Messages between the daemon and a worker process over the Node IPC channel, named by direction.
// Discriminated unions: both sides switch on `type` and the compiler checks every case.

import type { WorkerSpec } from '../config/types.js';
import type { SerializedError } from '../shared/errors.js';

/** Daemon -> worker. */
export type ParentMessage =
  | { type: 'worker:init'; spec: WorkerSpec; clientId: string }
  /** Stop grabbing, finish in-flight jobs within spec.stopTimeoutMs, exit 0. */
  | { type: 'worker:stop'; reason: string }
  /** Re-send CAN_DO on every connection (the daemon saw a registration vanish). */
  | { type: 'worker:reregister' };

export interface CurrentJob {
  handle: string;
  function: string;
  startedAtMs: number;
}

/** Worker -> daemon. */
export type ChildMessage =
  | { type: 'worker:ready'; functions: string[] }
  | { type: 'worker:init-failed'; error: SerializedError }
  | { type: 'server:state'; server: string; connected: boolean; registered: boolean; error?: string }
  | { type: 'job:start'; job: CurrentJob }
  | { type: 'job:end'; handle: string; function: string; durationMs: number; ok: boolean }
  | { type: 'worker:draining'; reason: string }
  | { type: 'worker:exiting'; reason: 'max-jobs' | 'stopped' | 'parent-gone' | 'error' };

export function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
