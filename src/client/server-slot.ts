// One job server as a GearmanClient sees it: its connection (opened on first use) and its health. A server
// whose connect failed or whose connection was lost is down: it gets no jobs until a reconnect, started in
// the background once a capped backoff has passed, succeeds. So no job waits on a server known to fail.

import { GearmanConnection } from '../transport/gearman-connection.js';
import { backoffDelayMs, type BackoffPolicy } from '../shared/backoff.js';
import { GmsupError } from '../shared/errors.js';
import { formatHostPort, type HostPort } from '../shared/host-port.js';
import type { KeepaliveSettings } from '../shared/tcp-keepalive.js';
import { ClientConnection, type LostHandler } from './client-connection.js';

/** How long a failed server is left alone before the next (background) connect. */
export const DOWN_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };

export interface SlotOptions {
  connectTimeoutMs: number;
  maxPacketBytes: number | undefined;
  keepalive: KeepaliveSettings | null;
  isClosed(): boolean;
  onLost: LostHandler;
}

/** What `GearmanClient.serverHealth()` reports per server. */
export interface ServerHealth {
  address: string;
  connected: boolean;
  /** Failed connects (or lost connections) in a row; 0 once connected again. */
  failures: number;
  /** While down: when the next reconnect is due (epoch ms). */
  retryAtMs?: number;
  lastError?: string;
  /** Keepalive options that could not be set on this server's sockets. */
  keepaliveErrors: number;
}

export class ServerSlot {
  readonly address: string;
  conn: ClientConnection | null = null;
  private connecting: Promise<ClientConnection> | null = null;
  private failures = 0;
  private retryAtMs = 0;
  private lastError: string | undefined;
  private keepaliveErrors = 0;

  constructor(
    readonly index: number,
    readonly hp: HostPort,
    private readonly opts: SlotOptions,
  ) {
    this.address = formatHostPort(hp);
  }

  get isUp(): boolean {
    return this.conn?.isOpen === true;
  }

  /** Down: failed since it last worked. Jobs are not routed to it; `retryIfDue` reconnects it. */
  get isDown(): boolean {
    return this.failures > 0 && !this.isUp;
  }

  get lastFailure(): string {
    return this.lastError ?? 'not tried';
  }

  health(): ServerHealth {
    return {
      address: this.address,
      connected: this.isUp,
      failures: this.failures,
      ...(this.isDown ? { retryAtMs: this.retryAtMs } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      keepaliveErrors: this.keepaliveErrors,
    };
  }

  /** The open connection, or one attempt to open it (shared by everyone asking meanwhile). */
  connect(): Promise<ClientConnection> {
    if (this.isUp) return Promise.resolve(this.conn!);
    this.connecting ??= GearmanConnection.connect(this.hp, {
      connectTimeoutMs: this.opts.connectTimeoutMs,
      maxPacketBytes: this.opts.maxPacketBytes,
      keepalive: this.opts.keepalive,
      onKeepaliveError: (why) => {
        this.keepaliveErrors++;
        this.lastError = `${this.address}: ${why}`;
      },
    })
      .then(
        (raw) => {
          if (this.opts.isClosed()) {
            raw.destroy();
            throw new GmsupError('USAGE', 'GearmanClient is closed');
          }
          this.conn = new ClientConnection(raw, this.index, this.opts.onLost);
          this.failures = 0;
          return this.conn;
        },
        (err: unknown) => {
          this.markDown(err instanceof Error ? err.message : String(err));
          throw err;
        },
      )
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  /** A down server whose backoff has passed gets a reconnect in the background. */
  retryIfDue(nowMs: number): void {
    if (!this.isDown || this.connecting !== null || nowMs < this.retryAtMs || this.opts.isClosed()) return;
    // The outcome is recorded in this slot (failures, lastError, serverHealth()); nobody waits on it.
    this.connect().catch(() => undefined);
  }

  /** The connection `conn` died: forget it and treat the server as down. */
  lost(conn: ClientConnection, why: string): void {
    if (this.conn !== conn) return;
    this.conn = null;
    if (!this.opts.isClosed()) this.markDown(why);
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    if (pending)
      await pending.then(
        (c) => c.close(),
        () => undefined,
      );
    if (this.conn) await this.conn.close();
    this.conn = null;
  }

  private markDown(why: string): void {
    this.retryAtMs = Date.now() + backoffDelayMs(DOWN_BACKOFF, this.failures);
    this.failures++;
    this.lastError = why;
  }
}
