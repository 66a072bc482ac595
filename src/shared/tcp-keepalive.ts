// TCP keepalive on every gmsup socket (server, client, worker), so a peer whose host vanished or whose
// NAT mapping was dropped is noticed in bounded time. Node 20 (libuv 1.46) sets only TCP_KEEPIDLE; the
// probe interval, probe count and TCP_USER_TIMEOUT are set through `net-keepalive` (setsockopt via ffi-rs).

import { createRequire } from 'node:module';
import type net from 'node:net';

/** Keepalive of one socket. Linux counts idle and interval in whole seconds. */
export interface KeepaliveSettings {
  /** Silence on the connection before the first probe. */
  idleMs: number;
  /** Time between unanswered probes. */
  intervalMs: number;
  /** Unanswered probes before the connection is declared dead. */
  count: number;
  /**
   * TCP_USER_TIMEOUT: data we sent that stays unacknowledged this long closes the connection (keepalive
   * probes do not run while data is in flight, so without it a dead peer we were writing to is noticed
   * only after ~15 minutes of retransmissions). 0 = the system's behaviour.
   */
  userTimeoutMs: number;
}

/** Given settings: `false` (or null) turns keepalive off; absent fields take the defaults. */
export type KeepaliveOption = false | null | Partial<KeepaliveSettings>;

/** idle 10 s + 3 probes 2 s apart: a vanished peer is dropped within 16 s (32 s with data in flight). */
export const DEFAULT_KEEPALIVE: Readonly<KeepaliveSettings> = Object.freeze({
  idleMs: 10_000,
  intervalMs: 2_000,
  count: 3,
  userTimeoutMs: 16_000,
});

/** Linux limits (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT). */
const MAX_IDLE_OR_INTERVAL_MS = 32_767_000;
const MAX_COUNT = 127;

/**
 * The longest a dead peer keeps its connection when nothing is sent to it: idle + interval x count. Data
 * sent to it and not acknowledged ends the connection `userTimeoutMs` after it was sent, so the worst
 * case (data first sent just before that deadline) is this plus `userTimeoutMs`.
 */
export function keepaliveBoundMs(s: KeepaliveSettings): number {
  return s.idleMs + s.intervalMs * s.count;
}

/**
 * Fills the defaults in. An absent `userTimeoutMs` follows the others (idle + interval x count), so the
 * same bound holds whether the dead peer was idle or had data in flight. null = keepalive off.
 */
export function resolveKeepalive(option: KeepaliveOption | undefined): KeepaliveSettings | null {
  if (option === false || option === null) return null;
  const given = option ?? {};
  const idleMs = given.idleMs ?? DEFAULT_KEEPALIVE.idleMs;
  const intervalMs = given.intervalMs ?? DEFAULT_KEEPALIVE.intervalMs;
  const count = given.count ?? DEFAULT_KEEPALIVE.count;
  const userTimeoutMs = given.userTimeoutMs ?? idleMs + intervalMs * count;
  return { idleMs, intervalMs, count, userTimeoutMs };
}

/** The first problem with resolved settings, named by key (`idle`, `interval`, ...), or null. */
export function keepaliveProblem(s: KeepaliveSettings): string | null {
  for (const [key, ms] of [
    ['idle', s.idleMs],
    ['interval', s.intervalMs],
  ] as const) {
    if (!Number.isInteger(ms) || ms < 1000 || ms > MAX_IDLE_OR_INTERVAL_MS || ms % 1000 !== 0)
      return `${key} must be whole seconds from 1s to 32767s (TCP counts it in seconds), got ${ms} ms`;
  }
  if (!Number.isInteger(s.count) || s.count < 1 || s.count > MAX_COUNT)
    return `count must be a whole number from 1 to ${MAX_COUNT}, got ${s.count}`;
  if (!Number.isInteger(s.userTimeoutMs) || s.userTimeoutMs < 0 || s.userTimeoutMs > 0x7fffffff)
    return `user_timeout must be 0 (off) or a duration up to 24 days, got ${s.userTimeoutMs} ms`;
  return null;
}

/** "idle 10s, 3 probes 2s apart, user timeout 16s: a dead peer is dropped within 16s". */
export function describeKeepalive(s: KeepaliveSettings | null): string {
  if (s === null) return 'keepalive off';
  const sec = (ms: number) => `${ms / 1000}s`;
  const ut = s.userTimeoutMs > 0 ? `, user timeout ${sec(s.userTimeoutMs)}` : '';
  const probes = `${s.count} probes ${sec(s.intervalMs)} apart`;
  return `idle ${sec(s.idleMs)}, ${probes}${ut}: a dead peer is dropped within ${sec(keepaliveBoundMs(s))}`;
}

interface NetKeepalive {
  setKeepAliveInterval(socket: net.Socket, ms: number): boolean;
  setKeepAliveProbes(socket: net.Socket, count: number): boolean;
  setUserTimeout(socket: net.Socket, ms: number): boolean;
}

/** undefined: not tried yet; null: unavailable here (see `keepaliveSupport`). */
let native: NetKeepalive | null | undefined;
let nativeError = '';
/** setsockopt calls that failed (logged through the caller's `onError`, counted here). */
let failures = 0;

function loadNative(): NetKeepalive | null {
  if (native !== undefined) return native;
  try {
    native = createRequire(import.meta.url)('net-keepalive') as NetKeepalive;
  } catch (err) {
    native = null;
    nativeError = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
  return native;
}

export interface KeepaliveSupport {
  /** Interval, count and user timeout can be set (else only idle is, and the system's others apply). */
  full: boolean;
  /** Why not, when not. */
  error?: string;
  /** setsockopt failures so far in this process. */
  failures: number;
}

/**
 * Loads the native part now (a one-off ~15 ms) and says whether it works. Servers call it at start to
 * log a warning once; other callers need not: `applyKeepalive` loads it on first use.
 */
export function keepaliveSupport(): KeepaliveSupport {
  const ok = loadNative() !== null;
  return ok ? { full: true, failures } : { full: false, error: nativeError, failures };
}

/**
 * Turns keepalive on for a connected socket. Idle is set at once (Node); interval, count and user
 * timeout right away when the native part is loaded, else one event-loop turn later (so loading it never
 * delays what the caller writes in this turn, e.g. a worker's registration).
 */
export function applyKeepalive(
  socket: net.Socket,
  s: KeepaliveSettings | null,
  onError?: (message: string) => void,
): void {
  if (s === null) return;
  socket.setKeepAlive(true, s.idleMs);
  if (native === null) return;
  if (native !== undefined) return setExtended(native, socket, s, onError);
  setImmediate(() => {
    const lib = loadNative();
    if (lib !== null) setExtended(lib, socket, s, onError);
  });
}

function setExtended(
  lib: NetKeepalive,
  socket: net.Socket,
  s: KeepaliveSettings,
  onError?: (message: string) => void,
): void {
  if (socket.destroyed) return;
  try {
    lib.setKeepAliveInterval(socket, s.intervalMs);
    lib.setKeepAliveProbes(socket, s.count);
    if (s.userTimeoutMs > 0) lib.setUserTimeout(socket, s.userTimeoutMs);
  } catch (err) {
    // A socket closed between the check and the call (EBADF) is harmless; anything else is reported.
    if (socket.destroyed) return;
    failures++;
    onError?.(`cannot set TCP keepalive options: ${err instanceof Error ? err.message : String(err)}`);
  }
}
