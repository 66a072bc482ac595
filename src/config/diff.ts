// What a reload changes: per program added / removed / changed (restart) / scaled (count only) /
// updated (daemon-side settings only) / unchanged, plus server changes. Pure. A program restarts when
// its WorkerSpec differs in any field (what its processes run); its other settings apply in place.

import type { Config, ProgramConfig } from './types.js';

/** ProgramConfig keys that are not settings of their own (identity and position in the file). */
const NOT_SETTINGS: ReadonlySet<string> = new Set(['name', 'spec', 'source', 'instances']);

/** Keys of two records whose values differ (structurally), in a stable order. */
function differingKeys(a: object, b: object, skip: ReadonlySet<string> = new Set()): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !skip.has(k)).sort();
  return keys.filter((k) => !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

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
      // The spec is what the processes run: any field of it differs -> they restart (one rule, no list).
      restartFields: differingKeys(before.spec, p.spec),
      // Everything else but identity and the count is the daemon's own: applied in place.
      liveFields: differingKeys(before, p, NOT_SETTINGS),
      fromInstances: before.instances,
      toInstances: p.instances,
    };
    // An autoscaled worker's count is the autoscaler's: a new min/max (or a switch between autoscale and
    // a fixed count) is a live change of `autoscale`, and the supervisor works out the count.
    const autoscaled = before.autoscale !== null || p.autoscale !== null;
    if (change.restartFields.length > 0) diff.changed.push(change);
    else if (!autoscaled && change.fromInstances !== change.toInstances) diff.scaled.push(change);
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

/** Structural equality of plain config values (strings, numbers, null, arrays, records). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
