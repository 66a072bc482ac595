// The text `gmsup status` prints: the daemon line, autoscaling per worker, a table of every instance,
// each job server's queues and the alarms. Pure: a Snapshot in, text out.

import type { Snapshot } from '../control/snapshot.js';
import { formatBytes, formatDuration, formatPercent } from '../shared/format.js';
import { autoscaleLines } from './autoscale-text.js';

/** Columns as wide as their widest cell (the header sets the column count), two spaces apart. */
function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const rows = [header, ...body];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
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
      i.state + (i.retiring ? ' (retiring)' : ''),
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
    out.push('', `job server ${srv.address}${srv.embedded ? ' (embedded)' : ''}: ${reach}`);
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
    for (const a of s.alarms) out.push(`  ${a.kind} ${a.function} on ${a.server}: ${a.message}`);
  }
  return `${out.join('\n')}\n`;
}
