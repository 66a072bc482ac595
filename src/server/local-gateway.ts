// In-process access to the job server for the HTTP listener: connections whose request packets go
// straight into the server logic (no TCP hop) and whose replies come back decoded, plus read-only views
// of functions, connections, counters and health for /metrics, /status and /healthz.

import { type Packet, PacketDecoder } from '../protocol/codec.js';
import { PacketType } from '../protocol/packet-types.js';
import type { ServerMetrics } from './metrics.js';
import { CONN_HTTP, CONN_KIND_NAMES, ServerConn, type Peer } from './model.js';
import type { ServerState } from './server-state.js';

/**
 * What /healthz and /metrics read of a durable store: a subset of the store's status (the store
 * work's StoreStatus has these fields and more).
 */
export interface StoreStatusView {
  /** The setting as shown: `memory`, `sqlite:/abs/path`, `postgres://user:***@host/db`. */
  store: string;
  state: 'ok' | 'failing';
  /** Unix ms since when in this state. */
  sinceMs: number;
  /** The last commit error while failing. */
  error: string | null;
  pendingWrites: number;
  committedBatches: number;
  failedCommits: number;
}

export interface LocalConnection {
  /** One request packet, handled exactly as if it had arrived on a socket. */
  request(type: number, args: Buffer[]): void;
  /** The client went away: like a socket closing (its queued foreground jobs are dropped). */
  close(): void;
}

export interface FunctionView {
  name: string;
  /** Queued (not running) jobs by priority: high, normal, low. */
  queued: [number, number, number];
  running: number;
  /** Connections that registered the function. */
  workers: number;
}

export type ConnectionCounts = Record<(typeof CONN_KIND_NAMES)[number], number>;

export interface LocalGateway {
  /** A new in-process client; `onReply` gets each reply packet, always after the call that caused it returned. */
  open(onReply: (packet: Packet) => void, ip: string, fd: number): LocalConnection;
  /** False once the server is closing or shutting down: submissions must be refused. */
  accepting(): boolean;
  /** The job store's state, or null when the server has no notion of one (memory only). */
  store(): StoreStatusView | null;
  functions(): FunctionView[];
  connections(): ConnectionCounts;
  readonly metrics: ServerMetrics;
  /** Handle prefix and start time, for /status. */
  readonly handlePrefix: string;
  readonly startedAtMs: number;
}

/** The Peer of an in-process connection: decodes what the server writes and delivers it a microtask later. */
class LocalPeer implements Peer {
  private readonly decoder = new PacketDecoder({ allowText: false, maxPacketBytes: 0xffffffff });
  private readonly inbox: Packet[] = [];
  private scheduled = false;

  constructor(
    private readonly onReply: (packet: Packet) => void,
    private readonly log: ((line: string) => void) | undefined,
  ) {}

  write(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (frame.kind === 'packet') {
        // Copy the arguments: they are views of buffers the server may reuse.
        this.inbox.push({ ...frame.packet, args: frame.packet.args.map((a) => Buffer.from(a)) });
        continue;
      }
      // The server encodes what it sends, so this is a server bug: the request gets an ERROR, and the
      // server's caller (possibly a worker's connection) is not disturbed by a throw.
      const why = frame.kind === 'error' ? frame.error.message : `text line ${JSON.stringify(frame.line)}`;
      this.log?.(`local connection: undecodable reply: ${why}`);
      this.inbox.push({ magic: 'RES', type: PacketType.ERROR, args: [Buffer.from('INTERNAL'), Buffer.from(why)] });
    }
    // Delivering later keeps the HTTP side from re-entering the server while it iterates (a forward
    // loop over a job's clients), the way a socket would.
    if (!this.scheduled && this.inbox.length > 0) {
      this.scheduled = true;
      queueMicrotask(() => this.deliver());
    }
  }

  end(): void {}

  /** Request arguments are the HTTP layer's own buffers: keep them as they are. */
  keep(view: Buffer): Buffer {
    return view;
  }

  private deliver(): void {
    this.scheduled = false;
    const packets = this.inbox.splice(0);
    for (const p of packets) {
      try {
        this.onReply(p);
      } catch (err) {
        // In a microtask a throw would end the process: log it and go on with the next packet.
        this.log?.(
          `local connection: reply handler failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`,
        );
      }
    }
  }
}

/**
 * The store's state for /healthz and /metrics: null for the memory store (nothing to fail) and for a
 * store that does not report one.
 */
export function storeStatusOf(store: object): StoreStatusView | null {
  const status = (store as { status?: () => StoreStatusView }).status;
  if (typeof status !== 'function') return null;
  const s = status.call(store);
  return s.store === 'memory' ? null : s;
}

export function createLocalGateway(
  state: ServerState,
  handlePrefix: string,
  accepting: () => boolean,
  store: () => StoreStatusView | null,
  log?: (line: string) => void,
): LocalGateway {
  const startedAtMs = Date.now();
  return {
    handlePrefix,
    startedAtMs,
    metrics: state.metrics,
    accepting,
    store,
    open(onReply, ip, fd) {
      const conn = new ServerConn(new LocalPeer(onReply, log), fd, ip);
      conn.kind = CONN_HTTP;
      conn.clientId = 'http';
      state.connect(conn);
      return {
        request: (type, args) => {
          if (!conn.closed) state.receive(conn, { magic: 'REQ', type, args });
        },
        close: () => state.disconnect(conn),
      };
    },
    functions() {
      const out: FunctionView[] = [];
      for (const fn of state.store.functions()) {
        out.push({
          name: fn.name,
          queued: [fn.queuedAt(0), fn.queuedAt(1), fn.queuedAt(2)],
          running: fn.running,
          workers: fn.workers.size,
        });
      }
      return out;
    },
    connections() {
      const counts: ConnectionCounts = { client: 0, worker: 0, admin: 0, http: 0 };
      for (const c of state.connections) counts[CONN_KIND_NAMES[c.kind]]++;
      return counts;
    },
  };
}
