// The autoscaling lines of `gmsup status` for one worker: min/current/max, the latest figures, the last
// decision with its reason, and what holds it now (pin, guard, cooldown). Pure: Snapshot data in, text out.

import type { ProgramInfo } from '../control/snapshot.js';
import { formatDuration, formatRate } from '../shared/format.js';

/** `7.2 s`, `2 s`, `110 s` (as the decision reasons write them). */
function secs(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}

export function autoscaleLines(p: ProgramInfo, nowMs: number): string[] {
  const a = p.autoscale;
  if (!a) return [];
  const figures = [
    a.queued === null ? null : `queued ${a.queued}`,
    a.completedPerSec === null ? null : `${formatRate(a.completedPerSec)} jobs/s`,
    a.jobMs === null ? null : `job ${a.jobMs < 1000 ? `${Math.round(a.jobMs)} ms` : secs(a.jobMs)}`,
    a.estimatedWaitMs === null ? null : `wait ${secs(a.estimatedWaitMs)}`,
  ].filter(Boolean);
  const out = [
    `${p.name}: autoscale min ${a.min} / current ${p.desired} / max ${a.max} ` +
      `(target wait ${secs(a.targetWaitMs)}, cooldown ${secs(a.cooldownMs)})` +
      (figures.length > 0 ? `; ${figures.join(', ')}` : ''),
  ];
  const c = a.lastChange;
  out.push(
    c
      ? `  last decision ${formatDuration(nowMs - c.atMs)} ago: ${c.from} -> ${c.to} (${c.reason})`
      : '  last decision: none yet',
  );
  if (a.pinned) out.push(`  PINNED at ${p.desired} by gmsup scale (\`gmsup scale ${p.name} auto\` resumes)`);
  else if (a.guard) out.push(`  HELD by the machine guard: ${a.guard}`);
  else if (a.lastEvaluation && a.lastEvaluation.action === 'hold' && a.lastEvaluation.atMs !== c?.atMs)
    out.push(`  now: ${a.lastEvaluation.reason}`);
  return out;
}
