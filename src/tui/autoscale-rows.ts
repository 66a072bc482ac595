// The autoscaling lines of the queues pane: one per autoscaled worker with current [min..max], the
// estimated wait, and the last decision with its reason; a guard that holds a scale-up in yellow, a pin
// in magenta. Pure: Snapshot in, Lines out.

import type { ProgramInfo, Snapshot } from '../control/snapshot.js';
import { cell, formatDuration } from '../shared/format.js';
import { seg, type Line } from './line.js';
import { matchesFilter } from './process-rows.js';

function secs(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))}s`;
}

/** Autoscaled workers (matching the filter), in config order. */
export function autoscaled(snap: Snapshot | null, filter: string): ProgramInfo[] {
  return (snap?.programs ?? []).filter((p) => p.autoscale !== null && matchesFilter(filter, p.name, p.function));
}

/** `autoscale http_call  3 [1..8] wait 0.4s  12s ago 1->3: queue wait 7.2 s > 2 s: +2` */
export function autoscaleLine(p: ProgramInfo, nowMs: number, width: number): Line {
  const a = p.autoscale;
  if (!a) return { segments: [] };
  // Names as wide as they are (within 8..20 columns): the reason gets the rest of the line.
  const nameW = Math.min(20, Math.max(8, p.name.length), Math.max(8, Math.floor(width / 5)));
  const head = `autoscale ${cell(p.name, nameW)} ${cell(`${p.desired} [${a.min}..${a.max}]`, 9)} `;
  const wait = cell(a.estimatedWaitMs === null ? 'wait -' : `wait ${secs(a.estimatedWaitMs)}`, 9);
  const segments = [seg(head, 'cyan'), seg(`${wait} `)];
  if (a.pinned) segments.push(seg(`PINNED by gmsup scale (a: resume)  `, 'magenta', true));
  else if (a.guard) segments.push(seg(`HELD: ${a.guard}  `, 'yellow', true));
  const c = a.lastChange;
  if (c) {
    const ago = formatDuration(Math.max(0, nowMs - c.atMs));
    segments.push(seg(`${ago} ago ${c.from}->${c.to}: `, 'gray'), seg(c.reason, c.to > c.from ? 'green' : 'cyan'));
  } else if (!a.pinned && !a.guard && a.lastEvaluation) {
    segments.push(seg(a.lastEvaluation.reason, 'gray'));
  }
  return { segments };
}
