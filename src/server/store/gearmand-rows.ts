// gearmand 1.1.20's queue rows (its libsqlite3 `gearman_queue` and Postgres `queue` tables: unique_key,
// function_name, priority, data, when_to_run in seconds) turned into gmsup's stored jobs, for the
// take-over at start. Its quirks are undone here: a 64-byte unique kept with a trailing NUL, NULL data.

import { PRIORITY_NORMAL, type Priority } from '../model.js';
import type { StoredJob } from './backend.js';

/** The columns gearmand's plugins create; when_to_run is missing in tables older than 1.1.x. */
export const GEARMAND_COLUMNS = ['unique_key', 'function_name', 'priority', 'data'] as const;

export interface GearmandRow {
  unique: Buffer | null;
  fn: Buffer | null;
  priority: number | null;
  data: Buffer | null;
  /** Unix seconds; 0 or NULL = run at once. */
  whenToRun: number | null;
}

/** The stored job for a gearmand row, or why it cannot be one (no function name). */
export function fromGearmandRow(row: GearmandRow, handle: number): StoredJob | string {
  const fn = row.fn === null ? '' : row.fn.toString('latin1');
  if (fn === '') return 'it has no function name';
  let unique = row.unique === null ? '' : row.unique.toString('latin1');
  // gearmand binds a 64-byte unique as 63 characters plus its NUL: a unique never holds NUL.
  const nul = unique.indexOf('\0');
  if (nul >= 0) unique = unique.slice(0, nul);
  const p = row.priority;
  const priority: Priority = p === 0 || p === 1 || p === 2 ? p : PRIORITY_NORMAL;
  const seconds = row.whenToRun ?? 0;
  return {
    handle,
    fn,
    unique,
    priority,
    runAtMs: seconds > 0 ? seconds * 1000 : 0,
    reducer: null,
    payload: row.data ?? Buffer.alloc(0),
  };
}
