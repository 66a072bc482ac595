// The job server's logic: routes each decoded request of a connection to its handler, and owns the job
// lifecycle steps that touch connections (attach, requeue, fail, finish, disconnect). Jobs and queues
// change only through the JobStore. No sockets here; timers come from a Clock port.

import type { Packet } from '../protocol/codec.js';
import { PacketType as T } from '../protocol/packet-types.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { AdminContext } from './context.js';
import { EpochScheduler } from './epoch-scheduler.js';
import * as E from './error-packets.js';
import { MemoryJobStore, type JobStore, type StoreEvents } from './job-store.js';
import { ServerMetrics } from './metrics.js';
import { JOB_QUEUED, JOB_WAITING, type Job, type ServerConn } from './model.js';
import { handleSubmit } from './submit.js';
import { encodeHandleOnly, encodeRaw, HandleCodec } from './wire.js';
import { handleWorkResult, statusReply, statusUniqueReply } from './work-results.js';
import { canDo, cantDo, grab, preSleep, resetAbilities, wakeSleepers } from './worker-requests.js';

export interface ServerStateOptions {
  /** Handle prefix without the trailing `:` (default `H:<hostname>`). */
  handlePrefix: string;
  /** gearmand's `-j`: a job is handed out at most this many times; 0 = unlimited. */
  jobRetries?: number;
  clock?: Clock;
  store?: JobStore;
  /** Called by the `shutdown [graceful]` admin command (a gmsup extension). */
  onShutdown?: (graceful: boolean) => void;
  verboseLevel?: string;
}

export type { Clock } from '../shared/clock.js';

const MAX_CLIENT_ID_BYTES = 127;

export class ServerState implements AdminContext, StoreEvents {
  readonly store: JobStore;
  readonly codec: HandleCodec;
  readonly clock: Clock;
  readonly connections = new Set<ServerConn>();
  readonly metrics = new ServerMetrics();
  readonly verboseLevel: string | undefined;
  private readonly jobRetries: number;
  private readonly epochs: EpochScheduler;

  constructor(private readonly options: ServerStateOptions) {
    this.store = options.store ?? new MemoryJobStore();
    this.codec = new HandleCodec(options.handlePrefix);
    this.clock = options.clock ?? systemClock;
    this.verboseLevel = options.verboseLevel;
    this.epochs = new EpochScheduler(
      this.clock,
      (job) => {
        // Due: into the normal queue, and wake sleepers (gearmand 1.1.20 sends nothing here).
        this.store.release(job);
        return job.fn;
      },
      (fn) => wakeSleepers(fn.sleepers),
    );
    this.jobRetries = options.jobRetries ?? 0;
  }

  /** Opens the store (a durable one loads its jobs) and arms the epoch timer for loaded epoch jobs. */
  async open(): Promise<void> {
    await this.store.open(this);
    for (const job of this.store.jobs()) if (job.state === JOB_WAITING) this.epochs.add(job);
  }

  connect(conn: ServerConn): void {
    this.connections.add(conn);
  }

  /** Reacts to one decoded packet from `conn`. */
  receive(conn: ServerConn, packet: Packet): void {
    if (packet.magic !== 'REQ') {
      conn.send(E.ERR_INVALID_MAGIC);
      return;
    }
    // The decoder split exactly the argument count of `type`, so a[i] below exists.
    const a = packet.args;
    const type = packet.type;
    switch (type) {
      case T.CAN_DO:
        canDo(this, conn, a[0]!, null);
        return;
      case T.CAN_DO_TIMEOUT:
        canDo(this, conn, a[0]!, a[1]!);
        return;
      case T.CANT_DO:
        cantDo(this, conn, a[0]!.toString('latin1'));
        return;
      case T.RESET_ABILITIES:
        resetAbilities(this, conn);
        return;
      case T.PRE_SLEEP:
        preSleep(conn);
        return;
      case T.GRAB_JOB:
      case T.GRAB_JOB_UNIQ:
      case T.GRAB_JOB_ALL:
        grab(this, conn, type);
        return;
      case T.WORK_STATUS:
      case T.WORK_COMPLETE:
      case T.WORK_FAIL:
      case T.WORK_EXCEPTION:
      case T.WORK_DATA:
      case T.WORK_WARNING:
        handleWorkResult(this, conn, type, a);
        return;
      case T.GET_STATUS:
        conn.send(statusReply(this, a[0]!));
        return;
      case T.GET_STATUS_UNIQUE:
        conn.send(statusUniqueReply(this, a[0]!));
        return;
      case T.ECHO_REQ:
        conn.send(encodeRaw(T.ECHO_RES, a[0]!, conn));
        return;
      case T.SET_CLIENT_ID:
        conn.clientId = a[0]!.subarray(0, MAX_CLIENT_ID_BYTES).toString('latin1');
        return;
      case T.OPTION_REQ:
        if (a[0]!.length < 64 && a[0]!.toString('latin1').toLowerCase() === 'exceptions') {
          conn.exceptions = true;
          conn.send(encodeRaw(T.OPTION_RES, a[0]!));
        } else {
          conn.send(E.ERR_UNKNOWN_OPTION);
        }
        return;
      default: {
        // Server-only types, ALL_YOURS, SUBMIT_JOB_SCHED
        if (!handleSubmit(this, conn, type, a)) conn.send(E.ERR_INVALID_COMMAND);
      }
    }
  }

  attach(conn: ServerConn, job: Job): void {
    if (job.clients === null) job.clients = [conn];
    else if (!job.clients.includes(conn)) job.clients.push(conn);
    if (!conn.attached.has(job)) {
      conn.attached.add(job);
      conn.attachedBytes += job.payload.length;
    }
  }

  admitted(job: Job): void {
    if (job.state === JOB_QUEUED) wakeSleepers(job.fn.sleepers);
    else if (job.state === JOB_WAITING) this.epochs.add(job);
    // PENDING: committed() or notCommitted() follows once the store's commit settles.
  }

  committed(jobs: readonly Job[]): void {
    for (const job of jobs) this.admitted(job);
  }

  notCommitted(jobs: readonly Job[]): void {
    for (const job of jobs) this.finish(job);
  }

  commitTook(seconds: number): void {
    this.metrics.commitTook(seconds);
  }

  shutdown(graceful: boolean): void {
    this.options.onShutdown?.(graceful);
  }

  requeue(job: Job): void {
    if (job.timer !== null) {
      this.clock.clearTimeout(job.timer);
      job.timer = null;
    }
    job.worker?.held.delete(job);
    job.worker = null;
    job.startedMs = -1;
    job.retries++;
    job.numerator = 0;
    job.denominator = 0;
    if (!job.background && (job.clients === null || job.clients.length === 0)) {
      this.store.remove(job); // nobody waits for this foreground job any more
      return;
    }
    if (this.jobRetries > 0 && job.retries >= this.jobRetries) {
      this.fail(job);
      return;
    }
    this.store.requeue(job);
    wakeSleepers(job.fn.sleepers);
  }

  fail(job: Job): void {
    this.metrics.failed(job);
    if (job.clients !== null) {
      const pkt = encodeHandleOnly(this.codec, T.WORK_FAIL, job.id);
      for (const c of job.clients) c.send(pkt);
    }
    this.finish(job);
  }

  finish(job: Job): void {
    if (job.timer !== null) {
      this.clock.clearTimeout(job.timer);
      job.timer = null;
    }
    if (job.worker !== null) {
      job.worker.held.delete(job);
      job.worker.rememberDone(job.id);
      job.worker = null;
    }
    if (job.clients !== null) {
      for (const c of job.clients) if (c.attached.delete(job)) c.attachedBytes -= job.payload.length;
      job.clients = null;
    }
    this.store.remove(job);
  }

  disconnect(conn: ServerConn): void {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    for (const ab of conn.abilities) {
      ab.fn.workers.delete(conn);
      ab.fn.sleepers.delete(conn);
    }
    conn.abilities.length = 0;
    for (const job of [...conn.held]) this.requeue(job);
    for (const job of conn.attached) {
      const clients = job.clients;
      if (clients === null) continue;
      const i = clients.indexOf(conn);
      if (i >= 0) clients.splice(i, 1);
      if (clients.length > 0) continue;
      job.clients = null;
      // Abandoned foreground job: drop it now if still queued; a running one finishes silently.
      if (!job.background && job.state === JOB_QUEUED) this.store.remove(job);
    }
    conn.attached.clear();
    conn.attachedBytes = 0;
  }

  /** Stops every timer (server close). */
  stop(): void {
    this.epochs.stop();
    for (const job of this.store.jobs()) {
      if (job.timer !== null) this.clock.clearTimeout(job.timer);
      job.timer = null;
    }
  }
}
