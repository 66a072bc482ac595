// The embedded job server's listener: accepts sockets, gives each a Connection over the shared
// ServerState, and closes everything on close() or on the `shutdown [graceful]` admin command.

import net from 'node:net';
import os from 'node:os';
import { DEFAULT_MAX_PACKET_BYTES } from '../protocol/codec.js';
import { GmsupError } from '../shared/errors.js';
import { listenError } from '../shared/listen-error.js';
import { DEFAULT_GEARMAN_PORT, DEFAULT_SERVER_HOST, formatHostPort } from '../shared/host-port.js';
import type { StoreSpec } from '../shared/store-url.js';
import { systemClock } from '../shared/clock.js';
import {
  applyKeepalive,
  keepaliveProblem,
  keepaliveSupport,
  resolveKeepalive,
  type KeepaliveOption,
} from '../shared/tcp-keepalive.js';
import { acceptWithSharedBuffer } from './accept.js';
import { Connection } from './connection.js';
import { FlushBatcher } from './flush-batcher.js';
import type { StoreStatus } from './job-store.js';
import { createLocalGateway, type LocalGateway, storeStatusOf } from './local-gateway.js';
import { MemoryReclaimer } from './reclaim.js';
import { ServerState } from './server-state.js';
import { createStore } from './store/open-store.js';

export interface JobServerOptions {
  host?: string;
  /** 0 = a free port. Default DEFAULT_GEARMAN_PORT (4730). */
  port?: number;
  maxPacketBytes?: number;
  /** Replaces the whole handle prefix (`GMS` gives `GMS:1`); default `H:<hostname>`. */
  jobHandlePrefix?: string;
  log?: (line: string) => void;
  /** gearmand's `-j`: hand a job out at most this many times (0 = unlimited). Extension. */
  jobRetries?: number;
  /** Level name `verbose` reports (gearmand's default is ERROR). */
  verboseLevel?: string;
  /** How long `shutdown graceful` waits for running jobs before closing anyway. */
  gracefulTimeoutMs?: number;
  /** Unsent output a peer that does not read may pile up before it is dropped (default 256 MiB, >= 2 max packets). */
  maxOutputBytes?: number;
  /**
   * Back-pressure: a connection is not read while its unsent replies plus the payloads of the foreground
   * jobs it waits on exceed this (default 16 MiB); a client that never reads blocks in its own writes.
   */
  readPauseBytes?: number;
  /**
   * After large payloads, once none arrived for this long, one full garbage collection gives their memory
   * back (default 1000 ms; 0 = never). See reclaim.ts.
   */
  reclaimIdleMs?: number;
  /** Where background jobs live (default memory); a durable store is loaded before the listener accepts. */
  store?: StoreSpec;
  /**
   * TCP keepalive on every accepted socket, so a peer whose host vanished is dropped (its jobs requeued)
   * within idle + interval x count. Default DEFAULT_KEEPALIVE (16 s); false = off.
   */
  keepalive?: KeepaliveOption;
}

export interface JobServer {
  host: string;
  port: number;
  address: string;
  /** The job store's state now (the `store` admin command prints the same). */
  readonly store: StoreStatus;
  /** In-process submissions and read-only views (the HTTP listener uses this instead of a TCP hop). */
  readonly local: LocalGateway;
  close(): Promise<void>;
  /** Resolves once the server has closed, whoever closed it (close() or `shutdown`). */
  readonly closed: Promise<void>;
}

const GRACEFUL_POLL_MS = 50;
const DEFAULT_RECLAIM_IDLE_MS = 1000;
/** How long close() lets connections flush before destroying them. */
const CLOSE_FLUSH_MS = 1000;

export async function startJobServer(opts: JobServerOptions = {}): Promise<JobServer> {
  const host = opts.host ?? DEFAULT_SERVER_HOST;
  const wantedPort = opts.port ?? DEFAULT_GEARMAN_PORT;
  const maxPacketBytes = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const reclaimer = new MemoryReclaimer(opts.reclaimIdleMs ?? DEFAULT_RECLAIM_IDLE_MS, opts.log);
  const limits = {
    maxPacketBytes,
    maxOutputBytes: opts.maxOutputBytes,
    readPauseBytes: opts.readPauseBytes,
    onAllocate: reclaimer.noteAllocated,
  };
  const keepalive = resolveKeepalive(opts.keepalive);
  const keepaliveError = keepalive && keepaliveProblem(keepalive);
  if (keepaliveError) throw new GmsupError('USAGE', `server keepalive: ${keepaliveError}`);
  if (keepalive) {
    const support = keepaliveSupport(); // loads the native part now, not on the first accept
    if (!support.full)
      opts.log?.(`TCP keepalive interval/count cannot be set here (${support.error}): the system's apply`);
  }
  const connections = new Set<Connection>();
  const batcher = new FlushBatcher();
  let nextFd = 1;
  let closing: Promise<void> | null = null;
  /** Cleared by close() and `shutdown graceful`: no new submissions through the local gateway. */
  let accepting = true;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });

  const handlePrefix = opts.jobHandlePrefix ?? `H:${os.hostname()}`;
  const store = await createStore(opts.store ?? { kind: 'memory' }, { clock: systemClock, log: opts.log });
  const state = new ServerState({
    store,
    handlePrefix,
    jobRetries: opts.jobRetries,
    verboseLevel: opts.verboseLevel,
    onShutdown: (graceful) => {
      void (graceful ? shutdownGracefully() : close());
    },
  });

  // A durable store loads its jobs here, before the first connection is accepted.
  await state.open();
  const opened = store.status();
  if (opened.store !== 'memory') {
    const takenOver = opened.takenOverJobs > 0 ? ` (${opened.takenOverJobs} taken over from gearmand's table)` : '';
    opts.log?.(`job store ${opened.store}: ${opened.loadedJobs} jobs loaded${takenOver} in ${opened.loadMs} ms`);
  }

  const listener = net.createServer({ allowHalfOpen: true, noDelay: true });

  await new Promise<void>((resolve, reject) => {
    listener.once('error', (err: NodeJS.ErrnoException) => {
      void store.close().catch(() => undefined);
      reject(listenError(err, formatHostPort({ host, port: wantedPort })));
    });
    listener.listen(wantedPort, host, () => resolve());
  });
  listener.on('error', (err) => opts.log?.(`listener error: ${err.message}`));
  const port = (listener.address() as net.AddressInfo).port;
  acceptWithSharedBuffer(listener, (socket) => {
    if (closing) {
      socket.destroy();
      return () => true;
    }
    applyKeepalive(socket, keepalive, (why) => opts.log?.(`connection from ${socket.remoteAddress}: ${why}`));
    const c = new Connection(socket, state, batcher, limits, nextFd++, opts.log);
    connections.add(c);
    socket.once('close', () => connections.delete(c));
    return (chunk) => c.onData(chunk);
  });

  function close(): Promise<void> {
    accepting = false;
    closing ??= (async () => {
      state.stop();
      reclaimer.stop();
      // The store first: what it still commits releases held JOB_CREATED replies before connections end.
      await store.close().catch((err: unknown) => {
        opts.log?.(`closing the job store: ${err instanceof Error ? err.message : String(err)}`);
      });
      await new Promise<void>((resolve) => {
        // Queued replies (e.g. the OK of `shutdown`) still go out; a peer that does not read is cut off.
        for (const c of connections) {
          c.flush();
          c.end();
        }
        const force = setTimeout(() => {
          for (const c of connections) c.destroy();
        }, CLOSE_FLUSH_MS);
        listener.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
    })().then(resolveClosed);
    return closing;
  }

  function shutdownGracefully(): void {
    // Stop accepting, let running jobs finish (bounded), then close.
    accepting = false;
    listener.close();
    const deadlineMs = Date.now() + (opts.gracefulTimeoutMs ?? 30_000);
    const poll = () => {
      let running = 0;
      for (const fn of state.store.functions()) running += fn.running;
      if (running === 0 || Date.now() >= deadlineMs || closing) void close();
      else setTimeout(poll, GRACEFUL_POLL_MS);
    };
    poll();
  }

  const local = createLocalGateway(
    state,
    handlePrefix,
    () => accepting,
    () => storeStatusOf(state.store),
    opts.log,
  );
  return {
    host,
    port,
    address: formatHostPort({ host, port }),
    get store() {
      return store.status();
    },
    local,
    close,
    closed,
  };
}
