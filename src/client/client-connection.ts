// One client connection to one job server: pipelines submissions, matches JOB_CREATED replies FIFO
// (the server answers in request order), then routes WORK_* packets to the waiting jobs by handle.
// Owns no retry policy: when the socket is lost it hands its unfinished jobs back to the client.

import { type GearmanConnection, errorFromPacket } from '../transport/gearman-connection.js';
import { packetArgs } from '../transport/packet-args.js';
import type { Packet } from '../protocol/codec.js';
import { PacketType } from '../protocol/packet-types.js';
import { GmsupError } from '../shared/errors.js';
import { Fifo } from './fifo.js';
import { JobFailedError, settle, type JobStatus, type PendingJob } from './job.js';

/** Requests that the server answers in order, each with exactly one reply or an ERROR packet. */
type Awaiting =
  | { kind: 'submit'; job: PendingJob }
  | { kind: 'status'; resolve: (s: JobStatus) => void; reject: (e: Error) => void }
  | { kind: 'option' };

export type LostHandler = (conn: ClientConnection, orphans: PendingJob[], err: GmsupError) => void;

export class ClientConnection {
  private readonly awaiting = new Fifo<Awaiting>();
  /** Foreground jobs by handle. Coalesced submissions on this connection share a handle: an array. */
  private readonly jobs = new Map<string, PendingJob | PendingJob[]>();
  /** In-flight foreground jobs with a unique, by function + unique (see submit). */
  private readonly byUnique = new Map<string, PendingJob>();
  private exceptionsRequested = false;
  private closing = false;

  constructor(
    readonly conn: GearmanConnection,
    readonly serverIndex: number,
    private readonly onLost: LostHandler,
  ) {
    conn.on('packet', (p) => this.onPacket(p));
    conn.on('close', (err) => this.onClose(err));
  }

  get address(): string {
    return this.conn.address;
  }

  get isOpen(): boolean {
    return !this.conn.isClosed && !this.closing;
  }

  /** Number of jobs sent and not yet finished (awaiting JOB_CREATED or a result). */
  get inFlight(): number {
    let n = 0;
    for (const v of this.jobs.values()) n += Array.isArray(v) ? v.length : 1;
    return n + this.awaiting.length;
  }

  submit(job: PendingJob): void {
    if (job.options.exceptions && !this.exceptionsRequested) {
      this.exceptionsRequested = true;
      this.conn.send(PacketType.OPTION_REQ, 'exceptions');
      this.awaiting.push({ kind: 'option' });
    }
    job.attempts++;
    job.handle = undefined;
    job.followers = undefined;
    // A foreground job whose (function, unique) is already in flight on this connection rides along
    // client-side: the server would coalesce it anyway, and gearmand sends every WORK_* once per
    // attachment, so a second attachment on one connection would duplicate each status callback.
    const key = coalesceKey(job);
    if (key !== undefined) {
      const primary = this.byUnique.get(key);
      if (primary !== undefined && !primary.done) {
        if (primary.handle !== undefined) this.attach(primary.handle, job);
        else (primary.followers ??= []).push(job);
        job.handle = primary.handle;
        return;
      }
      this.byUnique.set(key, job);
    }
    this.conn.send(job.packetType, job.fn, job.unique, job.payload);
    this.awaiting.push({ kind: 'submit', job });
  }

  getStatus(handle: string): Promise<JobStatus> {
    // gearmand never answers GET_STATUS for a handle of 64+ bytes; such a handle cannot exist anyway.
    if (Buffer.byteLength(handle) >= 64)
      return Promise.resolve({ known: false, running: false, numerator: 0, denominator: 0 });
    return new Promise((resolve, reject) => {
      this.conn.send(PacketType.GET_STATUS, handle);
      this.awaiting.push({ kind: 'status', resolve, reject });
    });
  }

  /** Stops routing results to a job that gave up (timeout); the server may still run it. */
  detach(job: PendingJob): void {
    const key = coalesceKey(job);
    if (key !== undefined && this.byUnique.get(key) === job) this.byUnique.delete(key);
    if (job.handle === undefined) return; // still awaiting JOB_CREATED: `done` makes us skip it
    const entry = this.jobs.get(job.handle);
    if (entry === job) this.jobs.delete(job.handle);
    else if (Array.isArray(entry)) {
      const rest = entry.filter((j) => j !== job);
      const [first] = rest;
      if (first === undefined) this.jobs.delete(job.handle);
      else this.jobs.set(job.handle, rest.length === 1 ? first : rest);
    }
  }

  close(): Promise<void> {
    this.closing = true;
    return this.conn.close();
  }

  private onPacket(p: Packet): void {
    switch (p.type) {
      case PacketType.JOB_CREATED: {
        const [handle] = packetArgs(p, 1);
        return this.onCreated(handle.toString('latin1'));
      }
      case PacketType.WORK_COMPLETE: {
        const [handle, data] = packetArgs(p, 2);
        const jobs = this.take(handle);
        if (!jobs) return;
        const result = p.owned ? data : Buffer.from(data); // args are views into the socket chunk unless owned
        for (const job of jobs) settle(job, undefined, result);
        return;
      }
      case PacketType.WORK_FAIL:
      case PacketType.WORK_EXCEPTION: {
        const [handle] = packetArgs(p, 1);
        const jobs = this.take(handle);
        if (!jobs) return;
        // WORK_FAIL carries the handle only; WORK_EXCEPTION adds the exception text.
        const text = p.type === PacketType.WORK_EXCEPTION ? Buffer.from(packetArgs(p, 2)[1]) : undefined;
        for (const job of jobs) settle(job, new JobFailedError(job.handle ?? '', text, job.fn));
        return;
      }
      case PacketType.WORK_STATUS: {
        const [handle, numeratorArg, denominatorArg] = packetArgs(p, 3);
        const numerator = Number.parseInt(numeratorArg.toString('latin1'), 10) || 0;
        const denominator = Number.parseInt(denominatorArg.toString('latin1'), 10) || 0;
        this.each(handle, (job) => job.options.onStatus?.(numerator, denominator));
        return;
      }
      case PacketType.WORK_DATA:
      case PacketType.WORK_WARNING: {
        const [handle, data] = packetArgs(p, 2);
        const chunk = Buffer.from(data);
        const warn = p.type === PacketType.WORK_WARNING;
        this.each(handle, (job) => (warn ? job.options.onWarning : job.options.onData)?.(chunk));
        return;
      }
      case PacketType.STATUS_RES: {
        const head = this.awaiting.peek();
        if (head?.kind !== 'status') return this.confused('STATUS_RES');
        this.awaiting.shift();
        const [, known, running, numerator, denominator] = packetArgs(p, 5);
        const num = (arg: Buffer) => Number.parseInt(arg.toString('latin1'), 10) || 0;
        head.resolve({
          known: num(known) === 1,
          running: num(running) === 1,
          numerator: num(numerator),
          denominator: num(denominator),
        });
        return;
      }
      case PacketType.OPTION_RES: {
        if (this.awaiting.peek()?.kind !== 'option') return this.confused('OPTION_RES');
        this.awaiting.shift();
        return;
      }
      case PacketType.ERROR:
        return this.onError(p);
      default:
        return; // NOOP, ECHO_RES, ...: nothing a client waits for
    }
  }

  private onCreated(handle: string): void {
    const head = this.awaiting.peek();
    if (head?.kind !== 'submit') return this.confused('JOB_CREATED');
    this.awaiting.shift();
    const job = head.job;
    const key = coalesceKey(job);
    if (job.done && key !== undefined && this.byUnique.get(key) === job) this.byUnique.delete(key);
    const riders = job.followers?.filter((f) => !f.done) ?? [];
    job.followers = undefined;
    for (const f of riders) {
      f.handle = handle;
      this.attach(handle, f);
      if (key !== undefined && job.done) this.byUnique.set(key, f);
    }
    if (job.done) return; // timed out while waiting for the handle
    job.handle = handle;
    if (job.background) return settle(job, undefined, handle);
    this.attach(handle, job);
  }

  private attach(handle: string, job: PendingJob): void {
    const prev = this.jobs.get(handle);
    if (prev === undefined) this.jobs.set(handle, job);
    else if (Array.isArray(prev)) prev.push(job);
    else this.jobs.set(handle, [prev, job]);
  }

  /** ERROR answers the oldest request still waiting for a reply (QUEUE_ERROR, unique too long, ...). */
  private onError(p: Packet): void {
    const err = errorFromPacket(p);
    const head = this.awaiting.shift();
    if (head?.kind === 'submit') {
      const key = coalesceKey(head.job);
      if (key !== undefined && this.byUnique.get(key) === head.job) this.byUnique.delete(key);
      for (const f of head.job.followers ?? []) settle(f, err);
      settle(head.job, err);
    } else if (head?.kind === 'status') head.reject(err);
    // an ERROR for OPTION_REQ leaves exceptions off: jobs then see WORK_FAIL, which still fails them
  }

  private take(handleArg: Buffer): PendingJob[] | undefined {
    let handle = handleArg.toString('latin1');
    // gearmand 1.1.20 turns WORK_EXCEPTION into WORK_FAIL "h\0" (a stray NUL) for clients without
    // the exceptions option: accept that form too.
    if (handle.endsWith('\0') && !this.jobs.has(handle)) handle = handle.slice(0, -1);
    const entry = this.jobs.get(handle);
    if (entry === undefined) return undefined;
    this.jobs.delete(handle);
    const jobs = Array.isArray(entry) ? entry : [entry];
    for (const job of jobs) {
      const key = coalesceKey(job);
      if (key !== undefined && this.byUnique.get(key) === job) this.byUnique.delete(key);
    }
    return jobs;
  }

  private each(handleArg: Buffer, fn: (job: PendingJob) => void): void {
    const entry = this.jobs.get(handleArg.toString('latin1'));
    if (entry === undefined) return;
    if (Array.isArray(entry)) for (const job of entry) fn(job);
    else fn(entry);
  }

  /** A reply we did not ask for means we no longer know which request it answers: start over. */
  private confused(what: string): void {
    this.conn.destroy();
    this.protocolError = new GmsupError('PROTOCOL', `${this.address} sent ${what} that answers no pending request`);
  }

  private protocolError: GmsupError | undefined;

  private onClose(cause: Error | undefined): void {
    const why = this.protocolError ?? (cause instanceof GmsupError ? cause : undefined);
    const err =
      why ??
      new GmsupError(
        'SERVER_UNREACHABLE',
        `connection to ${this.address} ${this.closing ? 'closed' : 'lost'}${cause ? `: ${cause.message}` : ''}`,
        { cause },
      );
    const orphans: PendingJob[] = [];
    for (const entry of this.awaiting.drain()) {
      if (entry.kind === 'submit') {
        if (!entry.job.done) orphans.push(entry.job);
      } else if (entry.kind === 'status') entry.reject(err);
    }
    for (const entry of this.jobs.values()) {
      for (const job of Array.isArray(entry) ? entry : [entry]) if (!job.done) orphans.push(job);
    }
    this.jobs.clear();
    for (const job of [...orphans]) if (job.followers) orphans.push(...job.followers.filter((f) => !f.done));
    this.byUnique.clear();
    this.onLost(this, orphans, err);
  }
}

/** Key for client-side coalescing, or undefined when the job never coalesces here. */
function coalesceKey(job: PendingJob): string | undefined {
  // '' never coalesces; '-' coalesces on the payload, which we do not hash client-side.
  if (job.background || job.unique === '' || job.unique === '-') return undefined;
  return `${job.fn}\0${job.unique}`;
}
