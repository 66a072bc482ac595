// Job submissions (SUBMIT_JOB*, EPOCH, REDUCE): unique checks, coalescing onto an existing job,
// maxqueue limits, then a new job queued (or held until its epoch). Part of the server logic.

import { PacketType as T } from '../protocol/packet-types.js';
import * as E from './error-packets.js';
import type { FunctionEntry } from './function-entry.js';
import { Job, JOB_WAITING, PRIORITY_HIGH, PRIORITY_LOW, PRIORITY_NORMAL, type Priority } from './job.js';
import type { ServerConn } from './server-conn.js';
import type { ServerState } from './server-state.js';
import { atoi, handlePacket } from './wire.js';

export const MAX_UNIQUE_BYTES = 64;

/** Submission packet type -> [priority, background]. */
const SUBMIT_KINDS: Record<number, [Priority, boolean]> = {
  [T.SUBMIT_JOB]: [PRIORITY_NORMAL, false],
  [T.SUBMIT_JOB_BG]: [PRIORITY_NORMAL, true],
  [T.SUBMIT_JOB_HIGH]: [PRIORITY_HIGH, false],
  [T.SUBMIT_JOB_HIGH_BG]: [PRIORITY_HIGH, true],
  [T.SUBMIT_JOB_LOW]: [PRIORITY_LOW, false],
  [T.SUBMIT_JOB_LOW_BG]: [PRIORITY_LOW, true],
  [T.SUBMIT_JOB_EPOCH]: [PRIORITY_NORMAL, true],
  [T.SUBMIT_REDUCE_JOB]: [PRIORITY_NORMAL, false],
  [T.SUBMIT_REDUCE_JOB_BACKGROUND]: [PRIORITY_NORMAL, true],
};

/** Handles a submission packet; false when `type` is not one. */
export function handleSubmit(state: ServerState, conn: ServerConn, type: number, a: Buffer[]): boolean {
  const kind = SUBMIT_KINDS[type];
  if (!kind) return false;
  submit(state, conn, type, a, kind[0], kind[1]);
  return true;
}

function lookupFunction(state: ServerState, conn: ServerConn, name: Buffer): FunctionEntry {
  const cached = conn.lastFn;
  if (cached !== null && !cached.dropped && cached.nameBytes.equals(name)) return cached;
  const fn = state.store.ensureFunction(name.toString('latin1'));
  conn.lastFn = fn;
  return fn;
}

function submit(
  state: ServerState,
  conn: ServerConn,
  type: number,
  a: Buffer[],
  priority: Priority,
  background: boolean,
): void {
  const uniqueBytes = a[1];
  if (uniqueBytes.length > MAX_UNIQUE_BYTES) {
    conn.send(E.ERR_UNIQUE_TOO_LARGE);
    return;
  }
  const isReduce = type === T.SUBMIT_REDUCE_JOB || type === T.SUBMIT_REDUCE_JOB_BACKGROUND;
  const data = type === T.SUBMIT_JOB_EPOCH ? a[3] : isReduce ? a[4] : a[2];
  const fn = lookupFunction(state, conn, a[0]);
  const unique = uniqueBytes.length === 0 ? '' : uniqueBytes.toString('latin1');
  // Unique "-" coalesces on the payload; the NUL prefix keeps it apart from real uniques (which cannot hold NUL).
  const key = unique === '-' ? (data.length > 0 ? `\0${data.toString('latin1')}` : '') : unique;
  if (key !== '') {
    const existing = fn.uniques.get(key);
    if (existing) {
      if (!background) state.attach(conn, existing);
      conn.send(handlePacket(state.codec, T.JOB_CREATED, existing.id));
      return;
    }
  }
  const limit = fn.maxQueue[priority];
  if (limit > 0 && fn.total >= limit) {
    conn.send(E.ERR_QUEUE_FULL);
    return;
  }
  let notBeforeMs = 0;
  if (type === T.SUBMIT_JOB_EPOCH) {
    notBeforeMs = atoi(a[2]) * 1000;
    if (notBeforeMs <= state.clock.now()) notBeforeMs = 0;
  }
  const reducer = isReduce && a[2].length > 0 ? a[2].toString('latin1') : null;
  const job = new Job(
    state.store.nextId(),
    fn,
    unique,
    key,
    conn.keep(data),
    priority,
    background,
    reducer,
    notBeforeMs,
  );
  if (notBeforeMs > 0) job.state = JOB_WAITING;
  state.store.add(job);
  if (!background) state.attach(conn, job);
  conn.send(handlePacket(state.codec, T.JOB_CREATED, job.id));
  if (notBeforeMs > 0) {
    state.epochs.add(job);
  } else {
    state.store.enqueue(job);
    state.wake(fn);
  }
}
