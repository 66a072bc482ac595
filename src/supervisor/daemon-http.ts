// The daemon's HTTP listener (the `server.http` keys): checked before anything starts, started next to
// the embedded job server with the daemon's Snapshot as /status and as the worker half of /metrics.

import type { Config } from '../config/types.js';
import {
  checkHttpExposure,
  type HttpListener,
  resolveToken,
  type SnapshotProvider,
  startHttpListener,
} from '../http/index.js';
import type { JobServer } from '../server/index.js';

/** Throws CONFIG_INVALID (exit 2) when the listener would be reachable from other machines without a token. */
export function checkDaemonHttp(config: Config): void {
  const h = config.server?.http;
  if (h) checkHttpExposure(h.host, resolveToken(h.token), `${config.file}: server.http ${h.host}:${h.port}`);
}

/** Starts the listener when the config has one; null otherwise. */
export async function startDaemonHttp(
  config: Config,
  server: JobServer,
  snapshot: SnapshotProvider,
  log: (line: string) => void,
): Promise<HttpListener | null> {
  const h = config.server?.http;
  if (!h) return null;
  const listener = await startHttpListener({
    host: h.host,
    port: h.port,
    token: resolveToken(h.token),
    gateway: server.local,
    snapshot,
    jobTimeoutMs: h.timeoutMs ?? undefined,
    maxBodyBytes: h.maxBodyBytes ?? undefined,
    log,
  });
  log(`http listening on ${listener.address}`);
  return listener;
}
