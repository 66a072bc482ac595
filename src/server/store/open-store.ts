// Makes the JobStore a store setting names: the memory store, or a durable store over the SQLite or
// PostgreSQL backend (each driver loaded only when used, so `memory` never needs the native module).

import type { StoreSpec } from '../../shared/store-url.js';
import { formatStore } from '../../shared/store-url.js';
import type { Clock } from '../../shared/clock.js';
import { type JobStore, MemoryJobStore } from '../job-store.js';
import { cannotOpen, reasonOf, type StoreBackend } from './backend.js';
import { DurableJobStore } from './durable-store.js';

export interface StoreOptions {
  clock: Clock;
  log?: (line: string) => void;
}

async function backendFor(spec: Exclude<StoreSpec, { kind: 'memory' }>): Promise<StoreBackend> {
  const module = spec.kind === 'sqlite' ? 'better-sqlite3' : 'pg';
  try {
    if (spec.kind === 'sqlite') return new (await import('./sqlite-backend.js')).SqliteBackend(spec);
    return new (await import('./postgres-backend.js')).PostgresBackend(spec);
  } catch (err) {
    throw cannotOpen(formatStore(spec), `the ${module} module cannot be loaded: ${reasonOf(err)}`, err);
  }
}

/** The store for `spec`, not yet opened (JobStore.open loads it). */
export async function createStore(spec: StoreSpec, options: StoreOptions): Promise<JobStore> {
  if (spec.kind === 'memory') return new MemoryJobStore();
  return new DurableJobStore(await backendFor(spec), options);
}
