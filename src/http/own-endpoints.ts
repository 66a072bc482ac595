// gmsup's own read-only endpoints: /metrics (Prometheus text), /status (the daemon's Snapshot, or the bare
// server's own status), /healthz (200 only while the server accepts jobs and its store commits), and the
// JSON of /v1 job status queries.

import type { Snapshot } from '../control/snapshot.js';
import type { LocalGateway, StoreStatusView } from '../server/index.js';
import { PROMETHEUS_CONTENT_TYPE, renderExposition } from './exposition.js';
import { type Answer, jsonAnswer, RETRY_AFTER_S } from './render.js';
import { type HttpRequestCounts, labelText, readProcess, serverFamilies } from './server-metrics.js';
import { snapshotFamilies } from './snapshot-metrics.js';

export type SnapshotProvider = () => Snapshot | Promise<Snapshot>;

export async function metricsAnswer(
  gw: LocalGateway,
  version: string,
  http: HttpRequestCounts,
  snapshot: SnapshotProvider | undefined,
): Promise<Answer> {
  const families = serverFamilies(gw, version, http, readProcess());
  if (snapshot !== undefined) {
    // The daemon's part is left out (and says so in a comment line) while it cannot answer yet.
    try {
      families.push(...snapshotFamilies(await snapshot()));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const text = `${renderExposition(families)}# daemon metrics unavailable: ${why.replace(/\n/g, ' ')}\n`;
      return { status: 200, headers: { 'Content-Type': PROMETHEUS_CONTENT_TYPE }, body: Buffer.from(text) };
    }
  }
  return {
    status: 200,
    headers: { 'Content-Type': PROMETHEUS_CONTENT_TYPE },
    body: Buffer.from(renderExposition(families)),
  };
}

/** `gmsup server`'s own status: what the job server knows (the daemon answers its Snapshot instead). */
export interface ServerStatus {
  server: { version: string; handlePrefix: string; startedAtMs: number; uptimeMs: number; accepting: boolean };
  functions: Array<{
    function: string;
    queued: number;
    queuedByPriority: { high: number; normal: number; low: number };
    running: number;
    availableWorkers: number;
  }>;
  connections: ReturnType<LocalGateway['connections']>;
  store: StoreStatusView | null;
}

export function serverStatus(gw: LocalGateway, version: string): ServerStatus {
  const now = Date.now();
  return {
    server: {
      version,
      handlePrefix: gw.handlePrefix,
      startedAtMs: gw.startedAtMs,
      uptimeMs: now - gw.startedAtMs,
      accepting: gw.accepting(),
    },
    functions: gw
      .functions()
      .map((f) => ({
        function: labelText(f.name),
        queued: f.queued[0] + f.queued[1] + f.queued[2],
        queuedByPriority: { high: f.queued[0], normal: f.queued[1], low: f.queued[2] },
        running: f.running,
        availableWorkers: f.workers,
      }))
      .sort((a, b) => (a.function < b.function ? -1 : a.function > b.function ? 1 : 0)),
    connections: gw.connections(),
    store: gw.store(),
  };
}

export async function statusAnswer(
  gw: LocalGateway,
  version: string,
  snapshot: SnapshotProvider | undefined,
): Promise<Answer> {
  if (snapshot === undefined) return jsonAnswer(200, serverStatus(gw, version));
  try {
    return jsonAnswer(200, await snapshot());
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return jsonAnswer(503, { error: `daemon status unavailable: ${why}` }, { 'Retry-After': String(RETRY_AFTER_S) });
  }
}

/** Why the server cannot take jobs now, or null when it can. */
export function unhealthyReason(gw: LocalGateway): string | null {
  if (!gw.accepting()) return 'the job server is shutting down and accepts no jobs';
  const s = gw.store();
  if (s !== null && s.state !== 'ok') {
    return `job store ${s.store} failing since ${new Date(s.sinceMs).toISOString()}: ${s.error ?? 'unknown error'}`;
  }
  return null;
}

export function healthAnswer(gw: LocalGateway): Answer {
  const reason = unhealthyReason(gw);
  const store = gw.store();
  const body = {
    status: reason === null ? 'ok' : 'unavailable',
    accepting: gw.accepting(),
    store: store === null ? null : store.state,
    reason,
  };
  return reason === null ? jsonAnswer(200, body) : jsonAnswer(503, body, { 'Retry-After': String(RETRY_AFTER_S) });
}

/** JSON for STATUS_RES (by handle) or STATUS_RES_UNIQUE (by unique): 404 when the server does not know the job. */
export function jobStatusAnswer(args: Buffer[], byUnique: boolean): Answer {
  const s = (i: number) => (args[i] ?? Buffer.alloc(0)).toString('latin1');
  const known = s(1) === '1';
  const running = s(2) === '1';
  const status = !known ? 'unknown' : running ? 'running' : 'queued';
  const body: Record<string, unknown> = byUnique
    ? { unique: (args[0] ?? Buffer.alloc(0)).toString('utf8') }
    : { handle: labelText(s(0)) };
  body.status = status;
  body.known = known;
  body.running = running;
  body.progress = { numerator: Number(s(3)) || 0, denominator: Number(s(4)) || 0 };
  if (byUnique) body.waitingClients = Number(s(5)) || 0;
  if (!known) body.error = 'the job server does not know this job: it finished, was never submitted, or was dropped';
  return jsonAnswer(known ? 200 : 404, body);
}
