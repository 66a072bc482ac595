// The job server's logic: reacts to decoded packets of a connection by changing the job store and
// sending packets (through each connection's Peer). No sockets here; timers come from a Clock port.

import type { Packet } from '../protocol/codec.js';
import { PacketType as T } from '../protocol/packet-types.js';
import { systemClock, type Clock } from './clock.js';
import { EpochScheduler } from './epoch-scheduler.js';
import * as E from './error-packets.js';
import type { FunctionEntry } from './function-entry.js';
import { JOB_QUEUED, JOB_RUNNING, JOB_WAITING, type Job } from './job.js';
import { MemoryJobStore, type JobStore } from './job-store.js';
import type { ServerConn } from './server-conn.js';
import { HandleCodec, atoi, emptyPacket, handleFieldsPacket, handlePacket, rawPacket } from './wire.js';
import { handleSubmit } from './submit.js';
import { handleWorkResult, statusReply, statusUniqueReply } from './work-results.js';

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

export type { Clock } from './clock.js';

const MAX_CLIENT_ID_BYTES = 127;
/** gearmand reads CAN_DO_TIMEOUT as ms with a floor of one second. */
const MIN_WORKER_TIMEOUT_MS = 1000;

const NOOP = emptyPacket(T.NOOP);
const NO_JOB = emptyPacket(T.NO_JOB);

export class ServerState {
  readonly store: JobStore;
  readonly codec: HandleCodec;
  readonly clock: Clock;
  readonly connections = new Set<ServerConn>();
  readonly startedAtMs: number;
  private readonly jobRetries: number;
  readonly epochs: EpochScheduler;

  constructor(readonly options: ServerStateOptions) {
    this.store = options.store ?? new MemoryJobStore();
    this.codec = new HandleCodec(options.handlePrefix);
    this.clock = options.clock ?? systemClock;
    this.epochs = new EpochScheduler(
      this.clock,
      (job) => {
        // Due: into the normal queue, and wake sleepers (gearmand 1.1.20 sends nothing here).
        this.store.enqueue(job);
        return job.fn;
      },
      (fn) => this.wake(fn),
    );
    this.jobRetries = options.jobRetries ?? 0;
    this.startedAtMs = this.clock.now();
  }

  connect(conn: ServerConn): void {
    this.connections.add(conn);
  }

  handlePacket(conn: ServerConn, packet: Packet): void {
    if (packet.magic !== 'REQ') {
      conn.send(E.ERR_INVALID_MAGIC);
      return;
    }
    const a = packet.args;
    const type = packet.type;
    switch (type) {
      case T.CAN_DO:
        this.canDo(conn, a[0], 0);
        return;
      case T.CAN_DO_TIMEOUT: {
        const ms = atoi(a[1]);
        this.canDo(conn, a[0], ms <= 0 ? 0 : Math.max(ms, MIN_WORKER_TIMEOUT_MS));
        return;
      }
      case T.CANT_DO:
        this.cantDo(conn, a[0].toString('latin1'));
        return;
      case T.RESET_ABILITIES:
        for (const ab of [...conn.abilities]) this.cantDo(conn, ab.fn.name);
        return;
      case T.PRE_SLEEP:
        this.preSleep(conn);
        return;
      case T.GRAB_JOB:
      case T.GRAB_JOB_UNIQ:
      case T.GRAB_JOB_ALL:
        this.grab(conn, type);
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
        conn.send(statusReply(this, a[0]));
        return;
      case T.GET_STATUS_UNIQUE:
        conn.send(statusUniqueReply(this, a[0]));
        return;
      case T.ECHO_REQ:
        conn.send(rawPacket(T.ECHO_RES, a[0]));
        return;
      case T.SET_CLIENT_ID:
        conn.clientId = a[0].subarray(0, MAX_CLIENT_ID_BYTES).toString('latin1');
        return;
      case T.OPTION_REQ:
        if (a[0].length < 64 && a[0].toString('latin1').toLowerCase() === 'exceptions') {
          conn.exceptions = true;
          conn.send(rawPacket(T.OPTION_RES, a[0]));
        } else {
          conn.send(E.ERR_UNKNOWN_OPTION);
        }
        return;
      default: {
        if (!handleSubmit(this, conn, type, a)) conn.send(E.ERR_INVALID_COMMAND); // server-only types, ALL_YOURS, SUBMIT_JOB_SCHED
      }
    }
  }

  attach(conn: ServerConn, job: Job): void {
    if (job.clients === null) job.clients = [conn];
    else if (!job.clients.includes(conn)) job.clients.push(conn);
    conn.attached.add(job);
  }

  private canDo(conn: ServerConn, name: Buffer, timeoutMs: number): void {
    const fn = this.store.ensureFunction(name.toString('latin1'));
    // A repeated CAN_DO re-registers (newest first for GRAB) instead of counting twice like gearmand.
    const i = conn.abilities.findIndex((ab) => ab.fn === fn);
    if (i >= 0) conn.abilities.splice(i, 1);
    conn.abilities.push({ fn, timeoutMs });
    fn.workers.add(conn);
    if (conn.sleeping) fn.sleepers.add(conn);
  }

  private cantDo(conn: ServerConn, name: string): void {
    const i = conn.abilities.findIndex((ab) => ab.fn.name === name);
    if (i < 0) return;
    const fn = conn.abilities[i].fn;
    conn.abilities.splice(i, 1);
    fn.workers.delete(conn);
    fn.sleepers.delete(conn);
    for (const job of [...conn.held]) if (job.fn === fn) this.requeue(job);
  }

  private preSleep(conn: ServerConn): void {
    for (const ab of conn.abilities) {
      if (ab.fn.hasRunnable()) {
        conn.sleeping = false;
        conn.send(NOOP);
        return;
      }
    }
    conn.sleeping = true;
    for (const ab of conn.abilities) ab.fn.sleepers.add(conn);
  }

  /** One NOOP to each sleeping worker of `fn`; a woken worker gets no second NOOP until it sleeps again. */
  wake(fn: FunctionEntry): void {
    if (fn.sleepers.size === 0) return;
    for (const w of fn.sleepers) {
      if (w.sleeping && !w.closed) {
        w.sleeping = false;
        w.send(NOOP);
      }
    }
    fn.sleepers.clear();
  }

  private grab(conn: ServerConn, type: number): void {
    conn.sleeping = false;
    const abilities = conn.abilities;
    for (let i = abilities.length - 1; i >= 0; i--) {
      const job = abilities[i].fn.takeRunnable();
      if (job !== null) {
        this.assign(conn, job, abilities[i].timeoutMs, type);
        return;
      }
    }
    conn.send(NO_JOB);
  }

  private assign(conn: ServerConn, job: Job, timeoutMs: number, grabType: number): void {
    this.store.markRunning(job);
    job.worker = conn;
    conn.held.add(job);
    if (timeoutMs > 0) job.timer = this.clock.setTimeout(() => this.onWorkerTimeout(job, conn), timeoutMs);
    const fnName = job.fn.nameBytes;
    if (grabType === T.GRAB_JOB) {
      conn.send(handleFieldsPacket(this.codec, T.JOB_ASSIGN, job.id, [fnName], job.payload));
      return;
    }
    const unique = Buffer.from(job.unique, 'latin1');
    if (grabType === T.GRAB_JOB_ALL && job.reducer !== null) {
      conn.send(
        handleFieldsPacket(
          this.codec,
          T.JOB_ASSIGN_ALL,
          job.id,
          [fnName, unique, Buffer.from(job.reducer, 'latin1')],
          job.payload,
        ),
      );
    } else {
      conn.send(handleFieldsPacket(this.codec, T.JOB_ASSIGN_UNIQ, job.id, [fnName, unique], job.payload));
    }
  }

  private onWorkerTimeout(job: Job, conn: ServerConn): void {
    job.timer = null;
    if (job.state === JOB_RUNNING && job.worker === conn) this.requeue(job);
  }

  /** A running job lost its worker (disconnect, CANT_DO, timeout): back to the tail of its queue. */
  requeue(job: Job): void {
    if (job.timer !== null) {
      this.clock.clearTimeout(job.timer);
      job.timer = null;
    }
    job.worker?.held.delete(job);
    job.worker = null;
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
    this.store.enqueue(job);
    this.wake(job.fn);
  }

  /** Ends a job with WORK_FAIL to every attached client (retry limit, cancel). */
  fail(job: Job): void {
    if (job.clients !== null) {
      const pkt = handlePacket(this.codec, T.WORK_FAIL, job.id);
      for (const c of job.clients) c.send(pkt);
    }
    this.finish(job);
  }

  /** Forgets a job: timers, worker, attached clients, every index. */
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
      for (const c of job.clients) c.attached.delete(job);
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
  }

  /** Stops every timer (server close). */
  stop(): void {
    this.epochs.stop();
    for (const job of this.store.jobs()) {
      if (job.timer !== null) this.clock.clearTimeout(job.timer);
      job.timer = null;
    }
  }

  isKnownState(job: Job | undefined): job is Job {
    return job !== undefined && (job.state === JOB_QUEUED || job.state === JOB_RUNNING || job.state === JOB_WAITING);
  }
}
