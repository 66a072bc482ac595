// The reload plan: a config diff described per worker, as `gmsup check`, `gmsup reload` and the reload
// log line print it. Pure. Every entry whose action is not `unchanged` is something a reload does.

import type { ConfigDiff, ProgramChange } from '../config/diff.js';
import type { ProgramConfig } from '../config/types.js';
import type { ReloadPlanEntry } from '../control/protocol.js';

const count = (n: number) => `${n} instance${n === 1 ? '' : 's'}`;
const sizing = (p: ProgramConfig) =>
  p.autoscale ? `autoscale ${p.autoscale.minInstances}..${p.autoscale.maxInstances}` : count(p.instances);
/** `autoscale 1..8 -> 2..8`, `2 instances -> autoscale 1..8`, when a change touches autoscaling, else ''. */
function autoscaleNote(c: ProgramChange): string {
  if (!c.old.autoscale && !c.next.autoscale) return '';
  const from = sizing(c.old);
  const to = sizing(c.next);
  if (from === to) return '';
  return c.old.autoscale && c.next.autoscale ? `${from} -> ${to.replace('autoscale ', '')}` : `${from} -> ${to}`;
}

export function describeDiff(d: ConfigDiff): ReloadPlanEntry[] {
  const plan: ReloadPlanEntry[] = [];
  for (const p of d.removed) {
    plan.push({ worker: p.name, action: 'stop', detail: `removed: drain and stop ${count(p.instances)}` });
  }
  for (const p of d.added) {
    const as = p.autoscale ? ` (autoscale ${p.autoscale.minInstances}..${p.autoscale.maxInstances})` : '';
    plan.push({ worker: p.name, action: 'start', detail: `new: start ${count(p.instances)}${as}` });
  }
  for (const c of d.changed) {
    const autoscaled = c.old.autoscale !== null || c.next.autoscale !== null;
    const note = autoscaleNote(c);
    const scale = autoscaled
      ? note && `; ${note}`
      : c.fromInstances !== c.toInstances
        ? `; ${c.fromInstances} -> ${c.toInstances} instances`
        : '';
    const fields = c.restartFields.join(', ');
    plan.push({ worker: c.name, action: 'restart', detail: `rolling restart (${fields} changed)${scale}` });
  }
  for (const c of d.scaled) {
    const live = c.liveFields.length > 0 ? `; updates ${c.liveFields.join(', ')}` : '';
    const detail = `${c.fromInstances} -> ${c.toInstances} instances, no restart${live}`;
    plan.push({ worker: c.name, action: 'scale', detail });
  }
  for (const c of d.updated) {
    const note = autoscaleNote(c);
    const others = c.liveFields.filter((f) => !(note && f === 'autoscale'));
    const detail = ['no restart', others.length > 0 ? `updates ${others.join(', ')}` : '', note]
      .filter(Boolean)
      .join('; ');
    plan.push({ worker: c.name, action: 'update', detail });
  }
  for (const p of d.unchanged) plan.push({ worker: p.name, action: 'unchanged', detail: 'no change' });
  return plan.sort((a, b) => a.worker.localeCompare(b.worker));
}
