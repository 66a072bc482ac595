// The text `gmsup status` prints: the daemon line, autoscaling per worker, a table of every instance,
// each job server's queues and the alarms. Pure: a Snapshot in, text out.

import type { Snapshot, StoreInfo } from '../control/snapshot.js';
import { displayWidth, formatBytes, formatDuration, formatPercent, padToWidth } from '../shared/format.js';
import { autoscaleLines } from './autoscale-text.js';

/** Columns as wide as their widest cell in terminal columns (the header sets the count), two spaces apart. */
export function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const rows = [header, ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  return rows
    .map((r) =>
      r
        .map((c, i) => padToWidth(c, widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatStatus(s: Snapshot): string {
  const out: string[] = [];
  const d = s.daemon;
  const uptime = formatDuration(s.takenAtMs - d.startedAtMs);
  out.push(
    `daemon pid ${d.pid} (gmsup ${d.version}), up ${uptime}, RSS ${formatBytes(d.rssBytes)}, ` +
      `CPU ${formatPercent(d.cpuPercent)}; config ${d.configFile}`,
  );
  if (d.configError) out.push(`CONFIG ERROR (the previous config stays in force):\n${d.configError}`);
  if (d.logLinesDropped > 0)
    out.push(
      `LOG LINES DROPPED: ${d.logLinesDropped} since start (the disk was slower than the workers; see daemon.log)`,
    );
  if (d.errors > 0) {
    const per = s.programs.filter((p) => p.errors > 0).map((p) => `${p.name} ${p.errors}`);
    out.push(`ERRORS: ${d.errors} since start${per.length > 0 ? ` (${per.join(', ')})` : ''}; see gmsup logs`);
  }
  for (const p of s.programs) {
    out.push(...autoscaleLines(p, s.takenAtMs));
    const notes = [
      p.scaled && !p.autoscale ? `scaled to ${p.desired} at runtime, config says ${p.configured}` : null,
      p.stopped ? 'stopped by request' : null,
    ].filter(Boolean);
    if (notes.length > 0) out.push(`${p.name}: ${notes.join('; ')}`);
  }
  const header = [
    'NAME',
    'FUNCTION',
    'IDX',
    'PID',
    'STATE',
    'UPTIME',
    'RESTARTS',
    'CPU',
    'RSS',
    'JOBS',
    'JOB AGE',
    'REGISTERED',
    'LAST EXIT / REASON',
  ];
  const rows: string[][] = [];
  for (const i of s.instances) {
    rows.push([
      i.name,
      i.function,
      String(i.index),
      i.pid === null ? '-' : String(i.pid),
      stateText(i),
      formatDuration(i.uptimeMs),
      String(i.restarts),
      formatPercent(i.cpuPercent),
      formatBytes(i.rssBytes),
      i.jobsFailed > 0 ? `${i.jobsDone}+${i.jobsFailed} failed` : String(i.jobsDone),
      formatDuration(i.currentJobAgeMs),
      `${i.registeredOn}/${i.serverCount}`,
      [i.lastExit, i.reason].filter(Boolean).join('; ') || '-',
    ]);
  }
  out.push('', table(header, rows));
  for (const srv of s.servers) {
    const reach = srv.reachable ? 'reachable' : `UNREACHABLE (${srv.error ?? 'no answer'})`;
    out.push('', `job server ${srv.address}${srv.embedded ? ' (embedded)' : ''}: ${reach}${storeText(srv.store)}`);
    if (srv.reachable && srv.functions.length > 0) {
      const q = srv.functions.map((f) => [f.function, String(f.queued), String(f.running), String(f.availableWorkers)]);
      out.push(
        table(['FUNCTION', 'QUEUED', 'RUNNING', 'WORKERS'], q)
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
    }
  }
  if (s.alarms.length > 0) {
    out.push('', 'ALARMS:');
    for (const a of s.alarms) out.push(`  ${a.kind} ${a.function || '(job store)'} on ${a.server}: ${a.message}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Whether `gmsup status` should exit non-zero (health checks rely on it, like Supervisor 4's `status`):
 * an instance that is FATAL (exit 17) comes before a job server that is unreachable (exit 5). Workers
 * stopped by request do not count.
 */
export function statusHealth(
  s: Snapshot,
): { code: 'INSTANCE_FATAL' | 'STORE_FAILING' | 'SERVER_UNREACHABLE'; message: string } | null {
  // A worker stopped on purpose (`gmsup stop NAME`) is nobody's alarm, whatever state it was left in.
  const stopped = new Set(s.programs.filter((p) => p.stopped).map((p) => p.name));
  const fatal = s.instances
    .filter((i) => i.state === 'FATAL' && !stopped.has(i.name))
    .map((i) => `${i.name}/${i.index}`);
  if (fatal.length > 0) return { code: 'INSTANCE_FATAL', message: `FATAL: ${fatal.join(', ')}` };
  const failing = s.servers
    .filter((srv) => srv.reachable && srv.store?.state === 'failing')
    .map((srv) => `${srv.address} (${srv.store?.error ?? 'commit failed'})`);
  if (failing.length > 0) return { code: 'STORE_FAILING', message: `job store failing on ${failing.join(', ')}` };
  const down = s.servers.filter((srv) => !srv.reachable).map((srv) => srv.address);
  if (down.length > 0) return { code: 'SERVER_UNREACHABLE', message: `job server unreachable: ${down.join(', ')}` };
  return null;
}

/** `; store sqlite:/var/lib/jobs.db ok` or `; store ... FAILING: <error>` (gmsup servers only). */
function storeText(store: StoreInfo | null): string {
  if (store === null) return '';
  if (store.state === 'ok') return `; store ${store.store} ok`;
  return `; store ${store.store} FAILING (${store.error ?? 'commit failed'}; background jobs refused)`;
}

/** `FATAL, retry in 4m12s` while a fatal_retry is pending; `(retiring)` for a recycled one draining out. */
function stateText(i: Snapshot['instances'][number]): string {
  const retry = i.state === 'FATAL' && i.retryInMs !== null ? `, retry in ${formatDuration(i.retryInMs)}` : '';
  return `${i.state}${retry}${i.retiring ? ' (retiring)' : ''}`;
}
