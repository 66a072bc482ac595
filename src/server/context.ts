// The narrow view of the server that packet and admin handlers get (instead of the whole ServerState):
// the store, the handle codec, the clock, and the job lifecycle steps that also touch connections.

import type { Clock } from '../shared/clock.js';
import type { JobStore } from './job-store.js';
import type { ServerMetrics } from './metrics.js';
import type { Job, ServerConn } from './model.js';
import type { HandleCodec } from './wire.js';

export interface HandlerContext {
  readonly store: JobStore;
  readonly codec: HandleCodec;
  readonly clock: Clock;
  /** Counters for /metrics (plain increments). */
  readonly metrics: ServerMetrics;
  /** Attaches a foreground client: it receives the job's WORK_* packets. */
  attach(conn: ServerConn, job: Job): void;
  /** A job the store just created: wakes its sleeping workers, or arms the epoch timer. */
  admitted(job: Job): void;
  /** A running job lost its worker (CANT_DO, timeout, disconnect): back to its queue, or ended. */
  requeue(job: Job): void;
  /** Forgets a job: timers, worker, attached clients, every index. */
  finish(job: Job): void;
  /** Ends a job with WORK_FAIL to every attached client (retry limit, cancel). */
  fail(job: Job): void;
}

/** What the text admin commands need beyond the packet handlers. */
export interface AdminContext extends HandlerContext {
  readonly connections: ReadonlySet<ServerConn>;
  readonly verboseLevel: string | undefined;
  /** The `shutdown [graceful]` extension. */
  shutdown(graceful: boolean): void;
}
