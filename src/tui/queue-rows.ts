// The queues pane as data: every configured job server (unreachable ones shown as such, never
// hidden), one row per function with queued/running/available workers, alarms in red. Pure.

import type { Alarm, Snapshot } from '../control/snapshot.js';
import { cell, formatCount } from '../shared/format.js';
import { seg, type Line } from './line.js';
import { matchesFilter } from './process-rows.js';

export interface QueueRow {
  server: string;
  function: string | null;
  queued: number;
  running: number;
  availableWorkers: number;
  reachable: boolean;
  error: string | null;
  alarms: Alarm[];
}

/** Unreachable servers first, then per server alarmed functions first, then by name. */
export function queueRows(snap: Snapshot | null, filter: string): QueueRow[] {
  if (!snap) return [];
  const rows: QueueRow[] = [];
  const servers = snap.servers.slice().sort((a, b) => Number(a.reachable) - Number(b.reachable));
  for (const s of servers) {
    if (!s.reachable) {
      rows.push({
        server: s.address,
        function: null,
        queued: 0,
        running: 0,
        availableWorkers: 0,
        reachable: false,
        error: s.error,
        alarms: [],
      });
      continue;
    }
    const fnRows: QueueRow[] = [];
    for (const q of s.functions) {
      if (!matchesFilter(filter, q.function)) continue;
      const alarms = snap.alarms.filter((a) => a.server === s.address && a.function === q.function);
      fnRows.push({
        server: s.address,
        function: q.function,
        queued: q.queued,
        running: q.running,
        availableWorkers: q.availableWorkers,
        reachable: true,
        error: null,
        alarms,
      });
    }
    // Alarms about functions the server does not list (e.g. queued work, no worker ever registered).
    for (const a of snap.alarms) {
      if (a.server !== s.address || fnRows.some((r) => r.function === a.function) || !matchesFilter(filter, a.function))
        continue;
      fnRows.push({
        server: s.address,
        function: a.function,
        queued: 0,
        running: 0,
        availableWorkers: 0,
        reachable: true,
        error: null,
        alarms: [a],
      });
    }
    fnRows.sort(
      (a, b) =>
        Number(b.alarms.length > 0) - Number(a.alarms.length > 0) || (a.function ?? '').localeCompare(b.function ?? ''),
    );
    if (fnRows.length === 0 && filter.trim() === '') {
      rows.push({
        server: s.address,
        function: null,
        queued: 0,
        running: 0,
        availableWorkers: 0,
        reachable: true,
        error: null,
        alarms: [],
      });
    }
    rows.push(...fnRows);
  }
  return rows;
}

function columns(width: number) {
  const fixed = { server: Math.min(21, Math.max(14, Math.floor(width / 5))), queued: 7, running: 7, workers: 7 };
  const fn = Math.max(8, Math.min(30, Math.floor((width - fixed.server - 21 - 5) / 2)));
  const alarm = Math.max(0, width - fixed.server - fn - 21 - 5);
  return { ...fixed, fn, alarm };
}

export function queueHeader(width: number): Line {
  const c = columns(width);
  const text = [
    cell('SERVER', c.server),
    cell('FUNCTION', c.fn),
    cell('QUEUED', c.queued, true),
    cell('RUNNING', c.running, true),
    cell('WORKERS', c.workers, true),
    cell('ALARM', c.alarm),
  ].join(' ');
  return { segments: [seg(text, 'white', true)] };
}

export function queueLine(row: QueueRow, width: number): Line {
  const c = columns(width);
  const server = cell(row.server, c.server);
  if (!row.reachable) {
    return {
      segments: [
        seg(`${server} `),
        seg(cell(`UNREACHABLE ${row.error ?? ''}`.trim(), width - c.server - 1), 'red', true),
      ],
    };
  }
  if (row.function === null)
    return { segments: [seg(`${server} `), seg('(no functions registered or queued)', 'gray')] };
  const alarmed = row.alarms.length > 0;
  const counts = [
    cell(formatCount(row.queued), c.queued, true),
    cell(formatCount(row.running), c.running, true),
    cell(formatCount(row.availableWorkers), c.workers, true),
  ];
  const nums = ` ${counts.join(' ')} `;
  const segments = [
    seg(`${server} `),
    // A server-wide alarm (its job store failing) has no function: label the row by what it is about.
    seg(cell(row.function === '' ? '(job store)' : row.function, c.fn), alarmed ? 'red' : undefined, alarmed),
    seg(nums, alarmed ? 'red' : undefined),
  ];
  if (alarmed) segments.push(seg(cell(row.alarms.map((a) => a.message || a.kind).join('; '), c.alarm), 'red', true));
  return { segments };
}
