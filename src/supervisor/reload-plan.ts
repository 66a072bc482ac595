// The reload plan: a config diff described per worker, as `gmsup check`, `gmsup reload` and the reload
// log line print it. Pure. Every entry whose action is not `unchanged` is something a reload does.

import type { ConfigDiff } from '../config/diff.js';
import type { ReloadPlanEntry } from '../control/protocol.js';

const count = (n: number) => `${n} instance${n === 1 ? '' : 's'}`;

export function describeDiff(d: ConfigDiff): ReloadPlanEntry[] {
  const plan: ReloadPlanEntry[] = [];
  for (const p of d.removed) {
    plan.push({ worker: p.name, action: 'stop', detail: `removed: drain and stop ${count(p.instances)}` });
  }
  for (const p of d.added) plan.push({ worker: p.name, action: 'start', detail: `new: start ${count(p.instances)}` });
  for (const c of d.changed) {
    const scale = c.fromInstances !== c.toInstances ? `; ${c.fromInstances} -> ${c.toInstances} instances` : '';
    const fields = c.restartFields.join(', ');
    plan.push({ worker: c.name, action: 'restart', detail: `rolling restart (${fields} changed)${scale}` });
  }
  for (const c of d.scaled) {
    const live = c.liveFields.length > 0 ? `; updates ${c.liveFields.join(', ')}` : '';
    const detail = `${c.fromInstances} -> ${c.toInstances} instances, no restart${live}`;
    plan.push({ worker: c.name, action: 'scale', detail });
  }
  for (const c of d.updated) {
    plan.push({ worker: c.name, action: 'update', detail: `no restart; updates ${c.liveFields.join(', ')}` });
  }
  for (const p of d.unchanged) plan.push({ worker: p.name, action: 'unchanged', detail: 'no change' });
  return plan.sort((a, b) => a.worker.localeCompare(b.worker));
}
