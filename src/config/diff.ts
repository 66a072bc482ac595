// What a reload changes: per program added / removed / changed (restart) / scaled (count only) /
// updated (daemon-side settings only) / unchanged, plus server changes. Pure; equality is over the
// explicit field lists below (like Supervisor's ProcessConfig.__eq__), never over the whole object.

import type { ReloadPlanEntry } from '../control/protocol.js';
import type { Config, ProgramConfig } from './types.js';

/** Fields a running worker process was started with: a change needs a (rolling) restart. */
export const RESTART_FIELDS = [
  'function',
  'kind',
  'modulePath',
  'command',
  'shell',
  'servers',
  'concurrency',
  'timeoutMs',
  'env',
  'cwd',
  'exceptions',
  'maxJobs',
  'stopTimeoutMs',
] as const satisfies readonly (keyof ProgramConfig)[];

/** Fields only the daemon uses: applied in place, no restart. `instances` is handled as scaling. */
export const LIVE_FIELDS = [
  'maxMemoryBytes',
  'maxLifetimeMs',
  'restart',
  'perCore',
] as const satisfies readonly (keyof ProgramConfig)[];

export interface ProgramChange {
  name: string;
  old: ProgramConfig;
  next: ProgramConfig;
  /** Restart fields that differ (non-empty only in `changed`). */
  restartFields: string[];
  /** Daemon-side fields that differ. */
  liveFields: string[];
  fromInstances: number;
  toInstances: number;
}

export interface ConfigDiff {
  added: ProgramConfig[];
  removed: ProgramConfig[];
  /** Needs a rolling restart (and may also change the count). */
  changed: ProgramChange[];
  /** Only the instance count changed (maybe with live fields): start or stop instances, restart none. */
  scaled: ProgramChange[];
  /** Only daemon-side settings changed: swap the config in, nothing starts or stops. */
  updated: ProgramChange[];
  unchanged: ProgramConfig[];
  /** The embedded `server:` block appeared, disappeared or moved. */
  serverChanged: boolean;
  /** The top-level servers list differs (affected programs are also in `changed`). */
  serversChanged: boolean;
  logsChanged: boolean;
  stateDirChanged: boolean;
}

export function diffConfigs(old: Config, next: Config): ConfigDiff {
  const oldByName = new Map(old.programs.map((p) => [p.name, p]));
  const nextNames = new Set(next.programs.map((p) => p.name));
  const diff: ConfigDiff = {
    added: [],
    removed: [],
    changed: [],
    scaled: [],
    updated: [],
    unchanged: [],
    serverChanged: !same(old.server, next.server),
    serversChanged: !same(old.servers, next.servers),
    logsChanged: !same(old.logs, next.logs),
    stateDirChanged: old.stateDir !== next.stateDir,
  };
  for (const p of old.programs) if (!nextNames.has(p.name)) diff.removed.push(p);
  for (const p of next.programs) {
    const before = oldByName.get(p.name);
    if (!before) {
      diff.added.push(p);
      continue;
    }
    const change: ProgramChange = {
      name: p.name,
      old: before,
      next: p,
      restartFields: RESTART_FIELDS.filter((k) => !same(before[k], p[k])),
      liveFields: LIVE_FIELDS.filter((k) => !same(before[k], p[k])),
      fromInstances: before.instances,
      toInstances: p.instances,
    };
    if (change.restartFields.length > 0) diff.changed.push(change);
    else if (change.fromInstances !== change.toInstances) diff.scaled.push(change);
    else if (change.liveFields.length > 0) diff.updated.push(change);
    else diff.unchanged.push(p);
  }
  return diff;
}

export function isEmptyDiff(d: ConfigDiff): boolean {
  return (
    d.added.length + d.removed.length + d.changed.length + d.scaled.length + d.updated.length === 0 &&
    !d.serverChanged &&
    !d.serversChanged &&
    !d.logsChanged &&
    !d.stateDirChanged
  );
}

/** The diff as the plan `gmsup check` and `gmsup reload` print, one entry per worker. */
export function describeDiff(d: ConfigDiff): ReloadPlanEntry[] {
  const plan: ReloadPlanEntry[] = [];
  const count = (n: number) => `${n} instance${n === 1 ? '' : 's'}`;
  for (const p of d.removed)
    plan.push({ worker: p.name, action: 'stop', detail: `removed: drain and stop ${count(p.instances)}` });
  for (const p of d.added) plan.push({ worker: p.name, action: 'start', detail: `new: start ${count(p.instances)}` });
  for (const c of d.changed) {
    const scale = c.fromInstances !== c.toInstances ? `; ${c.fromInstances} -> ${c.toInstances} instances` : '';
    plan.push({
      worker: c.name,
      action: 'restart',
      detail: `rolling restart (${c.restartFields.join(', ')} changed)${scale}`,
    });
  }
  for (const c of d.scaled) {
    const live = c.liveFields.length > 0 ? `; updates ${c.liveFields.join(', ')}` : '';
    plan.push({
      worker: c.name,
      action: 'scale',
      detail: `${c.fromInstances} -> ${c.toInstances} instances, no restart${live}`,
    });
  }
  for (const c of d.updated)
    plan.push({ worker: c.name, action: 'unchanged', detail: `no restart; updates ${c.liveFields.join(', ')}` });
  for (const p of d.unchanged) plan.push({ worker: p.name, action: 'unchanged', detail: 'no change' });
  return plan.sort((a, b) => a.worker.localeCompare(b.worker));
}

/** Structural equality of plain config values (strings, numbers, null, arrays, records). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
