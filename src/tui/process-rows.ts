// The processes pane as data: one row per instance (plus one per worker with no instance, so a
// stopped or scaled-to-0 worker can still be selected), states coloured, FATAL reasons shown. Pure.

import type { InstanceInfo, InstanceState, ProgramInfo, Snapshot } from '../control/snapshot.js';
import { cell, formatBytes, formatCount, formatDuration, formatPercent } from '../shared/format.js';
import { seg, type Colour, type Line } from './line.js';

export interface ProcessRow {
  /** Stable across refreshes: `name/index`, or `name/-` for a worker without instances. */
  key: string;
  worker: string;
  function: string;
  index: number | null;
  instance: InstanceInfo | null;
}

export function stateColour(state: InstanceState): Colour {
  switch (state) {
    case 'RUNNING':
      return 'green';
    case 'STARTING':
    case 'BACKOFF':
      return 'yellow';
    case 'FATAL':
      return 'red';
    case 'STOPPING':
      return 'magenta';
    default:
      return 'gray';
  }
}

export function matchesFilter(filter: string, ...fields: Array<string | null | undefined>): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  return fields.some((x) => typeof x === 'string' && x.toLowerCase().includes(f));
}

export function processRows(snap: Snapshot | null, filter: string): ProcessRow[] {
  if (!snap) return [];
  const rows: ProcessRow[] = [];
  const byWorker = new Map<string, InstanceInfo[]>();
  for (const inst of snap.instances) {
    const list = byWorker.get(inst.name) ?? [];
    list.push(inst);
    byWorker.set(inst.name, list);
  }
  const names = snap.programs.map((p) => p.name);
  for (const name of byWorker.keys()) if (!names.includes(name)) names.push(name);
  for (const name of names) {
    const prog = snap.programs.find((p) => p.name === name);
    const insts = (byWorker.get(name) ?? [])
      .slice()
      .sort((a, b) => a.index - b.index || Number(a.retiring) - Number(b.retiring));
    const fn = prog?.function ?? insts[0]?.function ?? name;
    if (!matchesFilter(filter, name, fn)) continue;
    if (insts.length === 0) {
      rows.push({ key: `${name}/-`, worker: name, function: fn, index: null, instance: null });
      continue;
    }
    for (const inst of insts) {
      const key = `${name}/${inst.index}${inst.retiring ? `/${inst.pid ?? ''}` : ''}`;
      rows.push({ key, worker: name, function: fn, index: inst.index, instance: inst });
    }
  }
  return rows;
}

/** Column widths for a pane `width` wide; the name column takes what is left. */
function columns(width: number) {
  // Narrow terminals drop the job columns rather than squeezing the name to nothing.
  const narrow = width < 72;
  const fixed = {
    idx: 3,
    pid: 7,
    state: 8,
    up: 7,
    rst: 4,
    cpu: 6,
    rss: 6,
    jobs: narrow ? 0 : 6,
    age: narrow ? 0 : 6,
    reg: width >= 90 ? 4 : 0,
  };
  const used = Object.values(fixed).reduce((a, b) => a + b, 0) + Object.values(fixed).filter((w) => w > 0).length + 1;
  return { ...fixed, name: Math.max(6, width - used) };
}

/** Joins the cells whose column is shown (width > 0). */
function joinShown(cells: Array<[string, number]>): string {
  return cells
    .filter(([, w]) => w > 0)
    .map(([t, w]) => cell(t, w, true))
    .join(' ');
}

export function processHeader(width: number): Line {
  const c = columns(width);
  const parts = [
    ' ',
    cell('WORKER', c.name),
    cell('#', c.idx, true),
    cell('PID', c.pid, true),
    cell('STATE', c.state),
    cell('UP', c.up, true),
    cell('RST', c.rst, true),
    joinShown([
      ['CPU', c.cpu],
      ['RSS', c.rss],
      ['JOBS', c.jobs],
      ['JOB', c.age],
    ]),
  ];
  if (c.reg) parts.push(cell('REG', c.reg, true));
  return { segments: [seg(parts.join(' ').slice(1), 'white', true)] };
}

export function processLine(row: ProcessRow, prog: ProgramInfo | undefined, width: number, selected: boolean): Line {
  const c = columns(width);
  const inst = row.instance;
  const mark = selected ? '>' : ' ';
  if (!inst) {
    const why = prog?.stopped
      ? 'stopped (s to start)'
      : prog?.autoscale && !prog.scaled
        ? `no instances (autoscale ${prog.autoscale.min}..${prog.autoscale.max}: one starts when jobs queue)`
        : `no instances (desired ${prog?.desired ?? 0}; + to scale)`;
    return { selected, segments: [seg(`${mark}${cell(row.worker, c.name)} `), seg(why, 'gray')] };
  }
  const pid = cell(inst.pid === null ? '-' : String(inst.pid), c.pid, true);
  const head = `${mark}${cell(inst.name, c.name)} ${cell(String(inst.index), c.idx, true)} ${pid} `;
  const state = cell(inst.retiring ? `${inst.state}*` : inst.state, c.state);
  const mid = ` ${cell(formatDuration(inst.uptimeMs), c.up, true)} ${cell(String(inst.restarts), c.rst, true)} `;
  const segments = [seg(head), seg(state, stateColour(inst.state), inst.state === 'FATAL'), seg(mid)];
  if (inst.state === 'FATAL' || (inst.state === 'BACKOFF' && inst.reason)) {
    const restWidth = [c.cpu, c.rss, c.jobs, c.age, c.reg].filter((w) => w > 0).reduce((a, w) => a + w + 1, -1);
    segments.push(
      seg(cell(inst.reason ?? inst.lastExit ?? 'failed', restWidth), inst.state === 'FATAL' ? 'red' : 'yellow'),
    );
  } else {
    const tail = joinShown([
      [formatPercent(inst.cpuPercent), c.cpu],
      [formatBytes(inst.rssBytes), c.rss],
      [formatCount(inst.jobsDone), c.jobs],
      [inst.currentJobAgeMs === null ? '-' : formatDuration(inst.currentJobAgeMs), c.age],
    ]);
    segments.push(seg(tail));
    if (c.reg) {
      // Running but not registered everywhere: worth a yellow.
      const short = inst.state === 'RUNNING' && inst.registeredOn < inst.serverCount;
      segments.push(
        seg(` ${cell(`${inst.registeredOn}/${inst.serverCount}`, c.reg, true)}`, short ? 'yellow' : undefined),
      );
    }
  }
  return { selected, segments };
}

/** Index into `rows` of the selection: by key, else the previous position clamped. */
export function resolveSelection(rows: ProcessRow[], key: string | null, fallbackIndex: number): number {
  if (rows.length === 0) return -1;
  if (key !== null) {
    const i = rows.findIndex((r) => r.key === key);
    if (i >= 0) return i;
  }
  return Math.max(0, Math.min(rows.length - 1, fallbackIndex));
}

/** First row to show so the selection stays visible (kept near the middle). */
export function scrollOffset(count: number, visible: number, selected: number): number {
  if (count <= visible || selected < 0) return 0;
  return Math.max(0, Math.min(count - visible, selected - Math.floor(visible / 2)));
}
