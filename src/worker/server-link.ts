// One job server as seen by a worker: performs the effects of the pure `connection-fsm` reducer
// (connect, send, retry timers) on a real GearmanConnection. Decides nothing itself.

import { GearmanConnection } from '../transport/gearman-connection.js';
import { backoffDelayMs, type BackoffPolicy } from '../shared/backoff.js';
import { formatHostPort, type HostPort } from '../shared/host-port.js';
import type { KeepaliveSettings } from '../shared/tcp-keepalive.js';
import {
  INITIAL_LINK_STATE,
  reduceLink,
  type AssignedJob,
  type LinkEffect,
  type LinkEvent,
  type LinkState,
  type Registration,
} from './connection-fsm.js';

/** Low cap: a restarted server must see the worker again within 1 s of coming back. */
export const DEFAULT_RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 500, factor: 2, jitter: 0.2 };

export interface LinkOptions {
  backoff?: BackoffPolicy;
  connectTimeoutMs?: number;
  /** Ask the server's version on connect (text and binary mix on one connection in gearmand too). */
  probeVersion?: boolean;
  /** TCP keepalive: a server that vanished (no FIN, no RST) is noticed and reconnected to in bounded time. */
  keepalive?: KeepaliveSettings | null;
}

export interface LinkHooks {
  /** A job was assigned on `conn`; results must go back on that same connection. */
  onJob(link: ServerLink, job: AssignedJob, conn: GearmanConnection): void;
  /** Grab capacity or wakefulness may have changed: the runtime re-distributes grants. */
  onChange(link: ServerLink): void;
  onReport(link: ServerLink, connected: boolean, registered: boolean, error?: string): void;
  log(line: string): void;
}

export class ServerLink {
  readonly address: string;
  private state: LinkState = INITIAL_LINK_STATE;
  private conn: GearmanConnection | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The server's `version` reply, when probed (see `isGmsupServer`). */
  private serverVersion: string | null = null;
  private readonly backoff: BackoffPolicy;
  private readonly connectTimeoutMs: number;
  private readonly probeVersion: boolean;
  private readonly keepalive: KeepaliveSettings | null;

  constructor(
    private readonly hp: HostPort,
    private readonly registration: Registration,
    private readonly hooks: LinkHooks,
    options: LinkOptions = {},
  ) {
    this.address = formatHostPort(hp);
    this.backoff = options.backoff ?? DEFAULT_RECONNECT_BACKOFF;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.probeVersion = options.probeVersion ?? false;
    this.keepalive = options.keepalive ?? null;
  }

  /** True when the connected server said it is gmsup: it delivers WORK_EXCEPTION correctly. */
  get isGmsupServer(): boolean {
    return this.serverVersion?.includes('gmsup') === true;
  }

  get current(): LinkState {
    return this.state;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  dispatch(event: LinkEvent): void {
    const { state, effects } = reduceLink(this.state, event, this.registration);
    this.state = state;
    for (const effect of effects) this.perform(effect);
    this.hooks.onChange(this);
  }

  /** Closes the connection (the server re-queues jobs still held) and stops retrying. Idempotent. */
  async close(): Promise<void> {
    const conn = this.conn;
    this.dispatch({ type: 'close' });
    if (conn) await conn.close(500);
  }

  private perform(effect: LinkEffect): void {
    switch (effect.kind) {
      case 'connect':
        this.connect();
        break;
      case 'send':
        this.conn?.send(effect.type, ...effect.args);
        break;
      case 'schedule-retry': {
        const delayMs = backoffDelayMs(this.backoff, effect.attempt);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.dispatch({ type: 'retry-due' });
        }, delayMs);
        break;
      }
      case 'cancel-retry':
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = null;
        break;
      case 'disconnect':
        // Graceful end; `close()` awaits it. Dropping our reference makes late sends no-ops.
        void this.conn?.close(500);
        this.conn = null;
        break;
      case 'run-job':
        if (this.conn) this.hooks.onJob(this, effect.job, this.conn);
        break;
      case 'jobs-orphaned':
        break;
      case 'report':
        this.hooks.onReport(this, effect.connected, effect.registered, effect.error);
        break;
      case 'server-error':
        this.hooks.log(`job server ${this.address} sent ERROR ${effect.code}: ${effect.text}`);
        break;
      case 'unexpected':
        this.hooks.log(`job server ${this.address} sent unexpected packet type ${effect.packetType}`);
        break;
    }
  }

  private connect(): void {
    GearmanConnection.connect(this.hp, {
      connectTimeoutMs: this.connectTimeoutMs,
      reuseReadBuffer: true,
      keepalive: this.keepalive,
      onKeepaliveError: (why) => this.hooks.log(`job server ${this.address}: ${why}`),
    }).then(
      (conn) => {
        if (this.state.phase !== 'connecting') {
          conn.destroy(); // closed while connecting
          return;
        }
        this.conn = conn;
        this.serverVersion = null;
        if (this.probeVersion) {
          // The reply precedes every binary reply to what we send after it, so it is known before any job.
          conn.on('text', (line) => {
            if (this.serverVersion === null && line.startsWith('OK ')) this.serverVersion = line.slice(3);
          });
          conn.sendText('version');
        }
        conn.on('packet', (packet) => this.dispatch({ type: 'packet', packet }));
        conn.on('close', (err) => {
          if (this.conn !== conn) return;
          this.conn = null;
          this.dispatch({ type: 'lost', error: err ? err.message : 'connection closed by the job server' });
        });
        this.dispatch({ type: 'connected' });
      },
      (err: unknown) =>
        this.dispatch({ type: 'connect-failed', error: err instanceof Error ? err.message : String(err) }),
    );
  }
}
