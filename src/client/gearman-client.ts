// GearmanClient: submits jobs to a list of job servers over one multiplexed connection at a time.
// Failover is in list order: a server that refuses a connection, or whose connection dies, is
// skipped for the next one (wrapping around once per connect attempt).
//
// Jobs pending when a connection is lost: a job submitted WITH a caller-given unique is resubmitted
// to the next server (the caller named it, so it is meant to be idempotent and coalescable; at most
// once per server in the list). A job without a unique fails at once with SERVER_UNREACHABLE: it may
// already have run, and silently running it twice is worse than a clear error.

import { GearmanConnection } from '../transport/gearman-connection.js';
import { GmsupError } from '../shared/errors.js';
import { formatHostPort, parseHostPort, type HostPort } from '../shared/host-port.js';
import {
  keepaliveProblem,
  resolveKeepalive,
  type KeepaliveOption,
  type KeepaliveSettings,
} from '../shared/tcp-keepalive.js';
import { ClientConnection } from './client-connection.js';
import { settle, submitPacketType, type JobStatus, type PendingJob, type SubmitOptions } from './job.js';

export interface GearmanClientOptions {
  /** 'host:port' strings, tried in order. */
  servers: string[];
  connectTimeoutMs?: number;
  maxPacketBytes?: number;
  /** TCP keepalive on every connection (default DEFAULT_KEEPALIVE: a dead server noticed within 16 s). */
  keepalive?: KeepaliveOption;
}

export class GearmanClient {
  private readonly servers: HostPort[];
  private readonly connectTimeoutMs: number;
  private readonly maxPacketBytes: number | undefined;
  private readonly keepalive: KeepaliveSettings | null;
  private current: ClientConnection | null = null;
  private connecting: Promise<ClientConnection> | null = null;
  /** Index of the server to try first on the next connect. */
  private preferred = 0;
  private closed = false;

  constructor(options: GearmanClientOptions) {
    if (!options.servers || options.servers.length === 0)
      throw new GmsupError('USAGE', 'GearmanClient needs at least one server');
    this.servers = options.servers.map((s) => parseHostPort(s));
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.maxPacketBytes = options.maxPacketBytes;
    this.keepalive = resolveKeepalive(options.keepalive);
    const problem = this.keepalive && keepaliveProblem(this.keepalive);
    if (problem) throw new GmsupError('USAGE', `client keepalive: ${problem}`);
  }

  /** Address of the server currently connected, if any. */
  get connectedTo(): string | undefined {
    return this.current?.isOpen ? this.current.address : undefined;
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

  /** Asks the server currently in use about a job handle (handles are only meaningful per server). */
  async getStatus(handle: string): Promise<JobStatus> {
    const conn = await this.connection();
    return conn.getStatus(handle);
  }

  /** Closes the connection. Jobs still pending reject with SERVER_UNREACHABLE. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connecting;
    this.connecting = null;
    if (pending)
      await pending.then(
        (c) => c.close(),
        () => undefined,
      );
    if (this.current) await this.current.close();
    this.current = null;
  }

  private start(
    fn: string,
    payload: string | Uint8Array,
    options: SubmitOptions,
    background: boolean,
  ): Promise<Buffer | string> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new GmsupError('USAGE', 'GearmanClient is closed'));
      const job: PendingJob = {
        fn,
        payload,
        unique: options.unique ?? '',
        packetType: submitPacketType(options.priority ?? 'normal', background),
        background,
        options,
        resolve,
        reject,
        timer: undefined,
        done: false,
        attempts: 0,
        handle: undefined,
        followers: undefined,
      };
      if (options.timeoutMs !== undefined) {
        job.timer = setTimeout(() => this.timeOut(job), options.timeoutMs);
      }
      this.dispatch(job);
    });
  }

  private dispatch(job: PendingJob): void {
    const cur = this.current;
    if (cur?.isOpen) return cur.submit(job); // fast path: no promise hop per job
    this.connection().then(
      (conn) => {
        if (!job.done) conn.submit(job);
      },
      (err: Error) => settle(job, err),
    );
  }

  private timeOut(job: PendingJob): void {
    if (job.done) return;
    this.current?.detach(job);
    job.timer = undefined;
    settle(
      job,
      new GmsupError(
        'TIMEOUT',
        `job ${job.fn}${job.handle ? ` (${job.handle})` : ''} got no result within ${job.options.timeoutMs} ms`,
      ),
    );
  }

  private connection(): Promise<ClientConnection> {
    if (this.closed) return Promise.reject(new GmsupError('USAGE', 'GearmanClient is closed'));
    if (this.current?.isOpen) return Promise.resolve(this.current);
    if (!this.connecting) {
      this.connecting = this.connectInOrder().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connectInOrder(): Promise<ClientConnection> {
    const failures: string[] = [];
    // Every server once, starting at the preferred one.
    const indexed = this.servers.map((server, index) => ({ server, index }));
    const order = [...indexed.slice(this.preferred), ...indexed.slice(0, this.preferred)];
    for (const { server, index } of order) {
      try {
        const raw = await GearmanConnection.connect(server, {
          connectTimeoutMs: this.connectTimeoutMs,
          maxPacketBytes: this.maxPacketBytes,
          keepalive: this.keepalive,
        });
        if (this.closed) {
          raw.destroy();
          throw new GmsupError('USAGE', 'GearmanClient is closed');
        }
        this.preferred = index;
        const conn = new ClientConnection(raw, index, (c, orphans, err) => this.onLost(c, orphans, err));
        this.current = conn;
        return conn;
      } catch (err) {
        if (this.closed) throw err;
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
    const list = this.servers.map(formatHostPort).join(', ');
    throw new GmsupError('SERVER_UNREACHABLE', `no job server reachable (${list}): ${failures.join('; ')}`);
  }

  private onLost(conn: ClientConnection, orphans: PendingJob[], err: GmsupError): void {
    if (this.current === conn) {
      this.current = null;
      this.preferred = (conn.serverIndex + 1) % this.servers.length; // the dead server goes last
    }
    for (const job of orphans) {
      const retry = !this.closed && job.unique !== '' && job.attempts < this.servers.length;
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
