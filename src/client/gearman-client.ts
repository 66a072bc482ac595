// GearmanClient: submits jobs to a list of job servers, one multiplexed connection per server, opened on
// first use. Which server a job goes to is `selection` (server-selection.ts): by default a job with a
// unique goes to the server its unique hashes to, others round-robin; a server that is down is skipped.
//
// Jobs pending when a connection is lost: a job submitted WITH a caller-given unique is resubmitted
// to the next server (the caller named it, so it is meant to be idempotent and coalescable; at most
// once per server in the list). A job without a unique fails at once with SERVER_UNREACHABLE: it may
// already have run, and silently running it twice is worse than a clear error.

import { GmsupError } from '../shared/errors.js';
import { formatHostPort, parseHostPort } from '../shared/host-port.js';
import { keepaliveProblem, resolveKeepalive, type KeepaliveOption } from '../shared/tcp-keepalive.js';
import type { ClientConnection } from './client-connection.js';
import { settle, submitPacketType, type JobStatus, type PendingJob, type SubmitOptions } from './job.js';
import { ServerPicker, SERVER_SELECTIONS, type ServerSelection } from './server-selection.js';
import { ServerSlot, type ServerHealth } from './server-slot.js';

export interface GearmanClientOptions {
  /** 'host:port' strings. Clients that should agree on where a unique goes must list the same strings. */
  servers: string[];
  /**
   * 'balanced' (default): a job with a unique goes to the server its unique hashes to (rendezvous
   * hashing), a job without one to the next server round-robin. 'ordered': every job to the first server
   * in list order that is up (primary/backup). Either way a server that is down is skipped.
   */
  selection?: ServerSelection;
  connectTimeoutMs?: number;
  maxPacketBytes?: number;
  /** TCP keepalive on every connection (default DEFAULT_KEEPALIVE: a dead server noticed within 16 s). */
  keepalive?: KeepaliveOption;
}

/** Handles of background jobs remembered with their server (for getStatus), newest kept. */
const REMEMBERED_HANDLES = 10_000;

export class GearmanClient {
  private readonly slots: ServerSlot[];
  private readonly picker: ServerPicker;
  private readonly handleServers = new Map<string, number>();
  private lastUsed: ServerSlot | null = null;
  private closed = false;

  constructor(options: GearmanClientOptions) {
    if (!options.servers || options.servers.length === 0)
      throw new GmsupError('USAGE', 'GearmanClient needs at least one server');
    const selection = options.selection ?? 'balanced';
    if (!SERVER_SELECTIONS.includes(selection))
      throw new GmsupError('USAGE', `unknown server selection ${JSON.stringify(selection)} (balanced or ordered)`);
    const keepalive = resolveKeepalive(options.keepalive);
    const problem = keepalive && keepaliveProblem(keepalive);
    if (problem) throw new GmsupError('USAGE', `client keepalive: ${problem}`);
    const slotOptions = {
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      maxPacketBytes: options.maxPacketBytes,
      keepalive,
      isClosed: () => this.closed,
      onLost: (c: ClientConnection, orphans: PendingJob[], err: GmsupError) => this.onLost(c, orphans, err),
    };
    this.slots = options.servers.map((s, i) => new ServerSlot(i, parseHostPort(s), slotOptions));
    this.picker = new ServerPicker(
      this.slots.map((s) => s.address),
      selection,
    );
  }

  /** Address of the server the last job was sent to, while its connection is open. */
  get connectedTo(): string | undefined {
    return this.lastUsed?.isUp ? this.lastUsed.address : undefined;
  }

  /** Where a job with this unique goes while every server is up (`-` hashes the payload instead). */
  serverFor(unique: string, payload: string | Uint8Array = ''): string {
    return this.slots[this.picker.home(unique, payload)]!.address;
  }

  /** The server that gave this client the handle of a background job (the last 10,000 are remembered). */
  serverOf(handle: string): string | undefined {
    if (this.slots.length === 1) return this.slots[0]!.address;
    const index = this.handleServers.get(handle);
    return index === undefined ? undefined : this.slots[index]?.address;
  }

  /** Per server: connected, failures in a row, last error, when a down one is retried. */
  serverHealth(): ServerHealth[] {
    return this.slots.map((s) => s.health());
  }

  /** Runs a foreground job; resolves with its result bytes, rejects with JOB_FAILED (JobFailedError). */
  submit(fn: string, payload: string | Uint8Array, options: SubmitOptions = {}): Promise<Buffer> {
    return this.start(fn, payload, options, false) as Promise<Buffer>;
  }

  /** Queues a background job; resolves with its handle once the server accepted it. */
  submitBackground(
    fn: string,
    payload: string | Uint8Array,
    options: Omit<SubmitOptions, 'onStatus' | 'onData' | 'onWarning' | 'exceptions'> = {},
  ): Promise<string> {
    return this.start(fn, payload, options, true) as Promise<string>;
  }

  /**
   * Asks a job's status where the job went (handles are only meaningful per server): `server` if given;
   * else for a `unique` the servers in its hash order, the first that knows the handle; else the server
   * that gave this client the handle; else every server until one knows it.
   */
  async getStatus(handle: string, where: { unique?: string; server?: string } = {}): Promise<JobStatus> {
    let order: readonly number[];
    if (where.server !== undefined) {
      const address = formatHostPort(parseHostPort(where.server));
      const slot = this.slots.find((s) => s.address === address);
      if (!slot) throw new GmsupError('USAGE', `${where.server} is not one of this client's servers`);
      order = [slot.index];
    } else if (where.unique !== undefined && where.unique !== '' && where.unique !== '-') {
      order = this.picker.order(where.unique, '');
    } else {
      const known = this.slots.length === 1 ? 0 : this.handleServers.get(handle);
      order = known !== undefined ? [known] : this.slots.map((s) => s.index);
    }
    let answer: JobStatus | undefined;
    let lastError: unknown;
    for (const index of order) {
      const slot = this.slots[index]!;
      if (order.length > 1 && slot.isDown) continue;
      try {
        answer = await (await slot.connect()).getStatus(handle);
        if (answer.known) return answer;
      } catch (err) {
        lastError = err;
      }
    }
    if (answer) return answer;
    throw lastError ?? new GmsupError('SERVER_UNREACHABLE', `no job server reachable for the status of ${handle}`);
  }

  /** Closes every connection. Jobs still pending reject with SERVER_UNREACHABLE. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.close()));
  }

  private start(
    fn: string,
    payload: string | Uint8Array,
    options: SubmitOptions,
    background: boolean,
  ): Promise<Buffer | string> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new GmsupError('USAGE', 'GearmanClient is closed'));
      const remember = background && this.slots.length > 1;
      const job: PendingJob = {
        fn,
        payload,
        unique: options.unique ?? '',
        packetType: submitPacketType(options.priority ?? 'normal', background),
        background,
        options,
        resolve: remember ? (handle) => this.remember(handle as string, job, resolve) : resolve,
        reject,
        timer: undefined,
        done: false,
        attempts: 0,
        connectFailures: 0,
        server: -1,
        handle: undefined,
        followers: undefined,
      };
      if (options.timeoutMs !== undefined) {
        job.timer = setTimeout(() => this.timeOut(job), options.timeoutMs);
      }
      this.dispatch(job);
    });
  }

  private remember(handle: string, job: PendingJob, resolve: (v: string) => void): void {
    this.handleServers.delete(handle); // re-inserted below as the newest
    this.handleServers.set(handle, job.server);
    if (this.handleServers.size > REMEMBERED_HANDLES) {
      const oldest = this.handleServers.keys().next();
      if (!oldest.done) this.handleServers.delete(oldest.value);
    }
    resolve(handle);
  }

  /** Sends the job to the first server of its preference order that is up, or may be (never tried). */
  private dispatch(job: PendingJob): void {
    if (this.closed) return settle(job, new GmsupError('USAGE', 'GearmanClient is closed'));
    const order = this.picker.order(job.unique, job.payload);
    const nowMs = Date.now();
    for (const index of order) {
      const slot = this.slots[index]!;
      if (slot.isUp) return this.send(slot, job); // fast path: no promise hop per job
      if (!slot.isDown) return this.sendAfterConnect(slot, job); // first use: wait for its connect
      slot.retryIfDue(nowMs); // down: jobs go elsewhere while it is retried in the background
    }
    // Every server is down. A job that already waited on a failed connect of each gives up; others try
    // each server once more, in order.
    if (job.connectFailures >= this.slots.length) return settle(job, this.unreachable());
    void this.connectAny(order).then(
      (slot) => (job.done ? undefined : this.send(slot, job)),
      (err: Error) => settle(job, err),
    );
  }

  private send(slot: ServerSlot, job: PendingJob): void {
    this.lastUsed = slot;
    job.server = slot.index;
    slot.conn!.submit(job);
  }

  private sendAfterConnect(slot: ServerSlot, job: PendingJob): void {
    slot.connect().then(
      () => {
        if (!job.done) this.send(slot, job);
      },
      () => {
        job.connectFailures++;
        if (!job.done) this.dispatch(job); // the slot is down now: the job moves on
      },
    );
  }

  private async connectAny(order: readonly number[]): Promise<ServerSlot> {
    for (const index of order) {
      const slot = this.slots[index]!;
      try {
        await slot.connect();
        return slot;
      } catch (err) {
        if (this.closed) throw err;
      }
    }
    throw this.unreachable();
  }

  private unreachable(): GmsupError {
    const list = this.slots.map((s) => s.address).join(', ');
    const why = this.slots.map((s) => s.lastFailure).join('; ');
    return new GmsupError('SERVER_UNREACHABLE', `no job server reachable (${list}): ${why}`);
  }

  private timeOut(job: PendingJob): void {
    if (job.done) return;
    if (job.server >= 0) this.slots[job.server]?.conn?.detach(job);
    job.timer = undefined;
    settle(
      job,
      new GmsupError(
        'TIMEOUT',
        `job ${job.fn}${job.handle ? ` (${job.handle})` : ''} got no result within ${job.options.timeoutMs} ms`,
      ),
    );
  }

  private onLost(conn: ClientConnection, orphans: PendingJob[], err: GmsupError): void {
    this.slots[conn.serverIndex]?.lost(conn, err.message);
    for (const job of orphans) {
      const retry = !this.closed && job.unique !== '' && job.attempts < this.slots.length;
      if (retry) this.dispatch(job);
      else
        settle(
          job,
          err.code === 'SERVER_UNREACHABLE' || err.code === 'PROTOCOL'
            ? new GmsupError(err.code, `${job.fn}: ${err.message} while the job was pending`, { cause: err })
            : err,
        );
    }
  }
}
