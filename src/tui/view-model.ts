// Snapshot + history + UI state + log lines -> what every pane shows, as Lines sized to the layout.
// Pure: the widgets in dashboard.ts receive only this. Unit-tested with constructed snapshots.

import type { LogLine } from '../control/protocol.js';
import type { Snapshot } from '../control/snapshot.js';
import { barChart, bucketize, sparkline } from './chart.js';
import { cell, formatDuration, formatRate, formatCount, truncate } from '../shared/format.js';
import type { History } from './history.js';
import type { UiState } from './keys.js';
import type { Layout } from './layout.js';
import { clipLine, seg, type Line } from './line.js';
import {
  processHeader,
  processLine,
  processRows,
  resolveSelection,
  scrollOffset,
  matchesFilter,
  type ProcessRow,
} from './process-rows.js';
import { queueHeader, queueLine, queueRows } from './queue-rows.js';
import { autoscaled, autoscaleLine } from './autoscale-rows.js';

export interface Connection {
  connected: boolean;
  /** Why not, when disconnected. */
  error: string | null;
  socketPath: string;
}

export interface StatusMessage {
  text: string;
  level: 'info' | 'ok' | 'error';
}

export interface DashboardView {
  header: Line;
  processes: Line[];
  queues: Line[];
  chart: Line[];
  log: Line[] | null;
  status: Line;
  help: Line;
  /** The rows key actions refer to (filtered, in display order). */
  rows: ProcessRow[];
  selectedFunction: string | null;
}

export interface ViewInput {
  snapshot: Snapshot | null;
  connection: Connection;
  history: History;
  ui: UiState;
  logLines: readonly LogLine[];
  message: StatusMessage | null;
  layout: Layout;
  /** For uptime of the daemon; the snapshot's own clock is used for everything else. */
  nowMs: number;
}

/** Seconds of history the charts span (one sample per second). */
export const CHART_SPAN_SAMPLES = 180;

export function buildView(input: ViewInput): DashboardView {
  const { snapshot: snap, ui, layout } = input;
  const width = layout.width;
  const rows = processRows(snap, ui.filter);
  const sel = resolveSelection(rows, ui.selectedKey, ui.selectedIndex);
  const selectedRow = sel >= 0 ? rows[sel] : undefined;
  const selectedFunction = selectedRow?.function ?? null;

  const procBody = layout.processes.height - 1;
  const offset = scrollOffset(rows.length, procBody, sel);
  const processes: Line[] = [processHeader(width)];
  for (let i = offset; i < Math.min(rows.length, offset + procBody); i++) {
    const row = rows[i]!; // i < rows.length
    processes.push(
      processLine(
        row,
        snap?.programs.find((p) => p.name === row.worker),
        width,
        i === sel,
      ),
    );
  }
  if (rows.length === 0)
    processes.push({
      segments: [
        seg(
          snap ? (ui.filter ? `no worker matches /${ui.filter}` : 'no workers configured') : 'waiting for the daemon…',
          'gray',
        ),
      ],
    });

  const qRows = queueRows(snap, ui.filter);
  const qBody = layout.queues.height - 1;
  const queues: Line[] = [queueHeader(width)];
  // Autoscaled workers get a line each below the queues: up to half the pane, at least one.
  const scaled = autoscaled(snap, ui.filter);
  const scaledShown = Math.min(scaled.length, Math.max(qBody >= 2 ? 1 : 0, Math.floor(qBody / 2)));
  const qRoom = qBody - scaledShown;
  const shown = qRows.length > qRoom ? qRoom - 1 : qRows.length;
  for (let i = 0; i < shown; i++) queues.push(queueLine(qRows[i]!, width)); // i < shown <= qRows.length
  if (qRows.length > shown)
    queues.push({ segments: [seg(`… ${qRows.length - shown} more rows (filter with /)`, 'gray')] });
  for (const p of scaled.slice(0, scaledShown)) queues.push(autoscaleLine(p, snap?.takenAtMs ?? input.nowMs, width));

  return {
    header: buildHeader(input),
    processes: processes.map((l) => clipLine(l, width)),
    queues: queues.map((l) => clipLine(l, width)),
    chart: buildChart(input.history, selectedFunction, width, layout.chart.height),
    log: layout.log ? buildLog(input.logLines, ui, selectedRow, width, layout.log.height) : null,
    status: clipLine(buildStatus(input), width),
    help: clipLine(buildHelp(ui.embedded, width), width),
    rows,
    selectedFunction,
  };
}

function buildHeader(input: ViewInput): Line {
  const { snapshot: snap, connection } = input;
  const segs = [seg('gmsup', 'cyan', true)];
  if (!connection.connected) {
    segs.push(seg(' DISCONNECTED', 'red', true), seg(` reconnecting… ${connection.error ?? ''}`, 'red'));
    if (snap) segs.push(seg(' (showing last data)', 'gray'));
    return clipLine({ segments: segs }, input.layout.width);
  }
  if (!snap) return clipLine({ segments: [...segs, seg(' connecting…', 'yellow')] }, input.layout.width);
  const running = snap.instances.filter((i) => i.state === 'RUNNING').length;
  const fatal = snap.instances.filter((i) => i.state === 'FATAL').length;
  const latest = input.history.latest();
  segs.push(
    seg(` pid ${snap.daemon.pid} up ${formatDuration(input.nowMs - snap.daemon.startedAtMs)}`),
    seg(`  ${running}/${snap.instances.length} running`, running === snap.instances.length ? 'green' : 'yellow'),
  );
  if (fatal > 0) segs.push(seg(` ${fatal} FATAL`, 'red', true));
  segs.push(seg(`  ${formatRate(latest?.rate ?? 0)} jobs/s  queued ${formatCount(latest?.queued ?? 0)}`));
  if (snap.alarms.length > 0)
    segs.push(seg(`  ${snap.alarms.length} alarm${snap.alarms.length > 1 ? 's' : ''}`, 'red', true));
  if (snap.daemon.configError) segs.push(seg(`  config error: ${snap.daemon.configError}`, 'red'));
  segs.push(seg(`  ${snap.daemon.configFile}`, 'gray'));
  return clipLine({ segments: segs }, input.layout.width);
}

function buildChart(history: History, fn: string | null, width: number, height: number): Line[] {
  const leftW = Math.floor((width - 1) / 2);
  const rightW = width - 1 - leftW;
  // One column per sample until the history is wider than the chart, then up to 3 minutes squeezed in:
  // a 20-second burst fills the chart instead of being two columns at the right edge.
  const cols = Math.max(1, Math.min(leftW, rightW));
  const per = Math.max(1, Math.ceil(Math.min(history.length, CHART_SPAN_SAMPLES) / cols));
  const half = (title: string, all: number[], one: number[] | null, w: number): string[] => {
    const barRows = Math.max(1, height - (one ? 2 : 1));
    const out = [cell(title, w)];
    out.push(...barChart(bucketize(all, w, per), barRows));
    if (one) out.push(sparkline(bucketize(one, w, per)));
    return out.map((s) => cell(s, w));
  };
  const rates = history.rates();
  const queued = history.queuedSeries();
  const latest = history.latest();
  const spanSec = Math.min(history.length, per * cols);
  const span = spanSec >= 60 ? `${Math.round(spanSec / 60)}m` : `${spanSec}s`;
  const fnPart = (v: number | undefined, fmt: (n: number) => string) =>
    fn ? ` ▸ ${truncate(fn, 12)} ${fmt(v ?? 0)}` : '';
  const left = half(
    `jobs/s ${formatRate(latest?.rate ?? 0)}${fnPart(latest?.rateByFunction.get(fn ?? ''), formatRate)} (${span})`,
    rates,
    fn ? history.rates(fn) : null,
    leftW,
  );
  const right = half(
    `queued ${formatCount(latest?.queued ?? 0)}${fnPart(latest?.queuedByFunction.get(fn ?? ''), formatCount)}`,
    queued,
    fn ? history.queuedSeries(fn) : null,
    rightW,
  );
  const lines: Line[] = [];
  for (let i = 0; i < height; i++) {
    const top = i === 0;
    const lastFn = fn !== null && i === height - 1;
    lines.push({
      segments: [
        seg(left[i] ?? '', top ? 'white' : lastFn ? 'cyan' : 'green', top),
        seg('▕', 'gray'),
        seg(right[i] ?? '', top ? 'white' : lastFn ? 'cyan' : 'yellow', top),
      ],
    });
  }
  return lines;
}

function hhmmss(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function buildLog(
  all: readonly LogLine[],
  ui: UiState,
  selected: ProcessRow | undefined,
  width: number,
  height: number,
): Line[] {
  const onlyWorker = ui.logOnlySelected && selected ? selected.worker : null;
  const scope = onlyWorker ? ` of ${onlyWorker}` : '';
  const filterNote = ui.filter ? ` /${ui.filter}` : '';
  const toggle = onlyWorker ? 'all workers' : 'selected worker only';
  const title = `log${scope}${filterNote} (w: ${toggle})`;
  const body = height - 1;
  const picked: LogLine[] = [];
  for (let i = all.length - 1; i >= 0 && picked.length < body; i--) {
    const l = all[i]!; // 0 <= i < all.length
    if (onlyWorker !== null && l.worker !== onlyWorker) continue;
    if (ui.filter && !matchesFilter(ui.filter, l.worker, l.source, l.text)) continue;
    picked.push(l);
  }
  picked.reverse();
  const lines: Line[] = [{ segments: [seg(cell(title, width), 'white', true)] }];
  for (const l of picked) {
    const colour = l.stream === 'stderr' ? 'yellow' : l.stream === 'daemon' ? 'cyan' : undefined;
    // Control characters from worker output would move blessed's cursor: replace them.
    const text = l.text.replace(/[\x00-\x1f\x7f]/g, ' ');
    lines.push(
      clipLine(
        { segments: [seg(`${hhmmss(l.atMs)} `, 'gray'), seg(`${l.source} `, colour ?? 'blue'), seg(text, colour)] },
        width,
      ),
    );
  }
  return lines;
}

function buildStatus(input: ViewInput): Line {
  const { ui, message } = input;
  if (ui.filterEditing)
    return {
      segments: [seg('filter: /', 'cyan', true), seg(`${ui.filter}_`), seg('  (Enter keep, Esc clear)', 'gray')],
    };
  if (ui.confirmQuit)
    return { segments: [seg('stop the daemon? (y/n)  (d: detach, leave it running)', 'yellow', true)] };
  if (message)
    return {
      segments: [
        seg(
          message.text,
          message.level === 'error' ? 'red' : message.level === 'ok' ? 'green' : 'white',
          message.level !== 'info',
        ),
      ],
    };
  if (ui.filter) return { segments: [seg(`filter /${ui.filter}  (/ then Esc clears)`, 'gray')] };
  return { segments: [seg('', 'gray')] };
}

function buildHelp(embedded: boolean, width: number): Line {
  // The keys that must always show come first; extras only when the terminal is wide enough.
  const quit = embedded ? 'q stop daemon  d detach' : 'q quit';
  const base = `${quit}  ↑↓jk${embedded ? '' : ' select'} r restart +/- scale s stop/start / filter l log`;
  const extra = '  R restart worker  w log of selected  a resume autoscaling';
  return { segments: [seg(base.length + extra.length <= width ? base + extra : base, 'gray')] };
}
