// The job store setting (`server.store`, `gmsup server --store`): `memory`, `sqlite:PATH` or
// `postgres://user@host/db`, each with optional `?sync=full|normal&table=NAME&gearmand_table=NAME|none`.
// Pure parsing and printing, shared by config validation and the server; no I/O.

import { isAbsolute, resolve } from 'node:path';

/** How hard a commit is pushed to disk before JOB_CREATED goes out (docs/store.md: what each risks). */
export type SyncMode = 'full' | 'normal';
export const DEFAULT_SYNC: SyncMode = 'full';
/** gmsup's own table in either database. */
export const DEFAULT_STORE_TABLE = 'gmsup_jobs';
/** gearmand 1.1.20's default queue tables, taken over at start when present. */
export const GEARMAND_SQLITE_TABLE = 'gearman_queue';
export const GEARMAND_POSTGRES_TABLE = 'queue';

interface DurableSpec {
  sync: SyncMode;
  table: string;
  /** gearmand's queue table to take over at start; null = none. */
  gearmandTable: string | null;
}

export type StoreSpec =
  | { kind: 'memory' }
  | ({ kind: 'sqlite' /** Absolute. */; path: string } & DurableSpec)
  | ({
      kind: 'postgres' /** For the driver: without gmsup's own parameters. */;
      connectionString: string;
    } & DurableSpec);

export type StoreUrlResult = { ok: true; spec: StoreSpec } | { ok: false; message: string };

const PARAMS = ['sync', 'table', 'gearmand_table'] as const;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function fail(text: string, why: string): StoreUrlResult {
  return { ok: false, message: `bad job store ${JSON.stringify(text)}: ${why}` };
}

/** Reads sync/table/gearmand_table; an error message, or the durable part of the spec. */
function durableParams(params: URLSearchParams, gearmandDefault: string, passThrough: boolean): DurableSpec | string {
  for (const key of new Set(params.keys())) {
    if (!(PARAMS as readonly string[]).includes(key) && !passThrough) {
      return `unknown parameter ${JSON.stringify(key)} (known: ${PARAMS.join(', ')})`;
    }
    if (params.getAll(key).length > 1) return `parameter ${JSON.stringify(key)} is given twice`;
  }
  const sync = params.get('sync') ?? DEFAULT_SYNC;
  if (sync !== 'full' && sync !== 'normal') return `sync must be full or normal, got ${JSON.stringify(sync)}`;
  const table = params.get('table') ?? DEFAULT_STORE_TABLE;
  if (!IDENTIFIER.test(table))
    return `table must be a plain SQL name (letters, digits, _), got ${JSON.stringify(table)}`;
  const gearmand = params.get('gearmand_table') ?? gearmandDefault;
  if (gearmand !== 'none' && !IDENTIFIER.test(gearmand)) {
    return `gearmand_table must be a plain SQL name or none, got ${JSON.stringify(gearmand)}`;
  }
  if (gearmand === table) return `table and gearmand_table must differ (both ${JSON.stringify(table)})`;
  return { sync, table, gearmandTable: gearmand === 'none' ? null : gearmand };
}

/** Parses a store setting; a relative sqlite path is resolved against `baseDir`. */
export function parseStoreUrl(text: string, baseDir: string): StoreUrlResult {
  const s = text.trim();
  if (s === 'memory') return { ok: true, spec: { kind: 'memory' } };
  if (s.startsWith('sqlite:')) {
    let rest = s.slice('sqlite:'.length);
    const q = rest.lastIndexOf('?');
    const query = q >= 0 ? rest.slice(q + 1) : '';
    if (q >= 0) rest = rest.slice(0, q);
    if (rest.startsWith('//')) {
      if (!rest.startsWith('///')) return fail(text, 'use sqlite:PATH or sqlite:///ABSOLUTE/PATH');
      rest = rest.slice(2);
    }
    if (rest === '') return fail(text, 'no file path after sqlite:');
    const params = durableParams(new URLSearchParams(query), GEARMAND_SQLITE_TABLE, false);
    if (typeof params === 'string') return fail(text, params);
    const path = isAbsolute(rest) ? resolve(rest) : resolve(baseDir, rest);
    return { ok: true, spec: { kind: 'sqlite', path, ...params } };
  }
  if (s.startsWith('postgres://') || s.startsWith('postgresql://')) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return fail(text, 'not a valid URL (postgres://user[:password]@host[:port]/database)');
    }
    const params = durableParams(url.searchParams, GEARMAND_POSTGRES_TABLE, true);
    if (typeof params === 'string') return fail(text, params);
    for (const key of PARAMS) url.searchParams.delete(key);
    return { ok: true, spec: { kind: 'postgres', connectionString: url.toString(), ...params } };
  }
  return fail(text, 'expected memory, sqlite:PATH or postgres://user@host/database');
}

/** The setting as shown in messages and status: absolute path, password hidden, non-default parameters. */
export function formatStore(spec: StoreSpec): string {
  if (spec.kind === 'memory') return 'memory';
  const params = new URLSearchParams();
  if (spec.sync !== DEFAULT_SYNC) params.set('sync', spec.sync);
  if (spec.table !== DEFAULT_STORE_TABLE) params.set('table', spec.table);
  const gearmandDefault = spec.kind === 'sqlite' ? GEARMAND_SQLITE_TABLE : GEARMAND_POSTGRES_TABLE;
  if (spec.gearmandTable !== gearmandDefault) params.set('gearmand_table', spec.gearmandTable ?? 'none');
  const query = params.size > 0 ? `?${params.toString()}` : '';
  if (spec.kind === 'sqlite') return `sqlite:${spec.path}${query}`;
  const url = new URL(spec.connectionString);
  if (url.password !== '') url.password = '***';
  for (const [k, v] of params) url.searchParams.set(k, v);
  return url.toString();
}
