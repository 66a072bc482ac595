// Job submissions (SUBMIT_JOB*, EPOCH, REDUCE): unique checks, coalescing onto an existing job,
// maxqueue limits, then a new job from the store, whose JOB_CREATED waits for its commit when the store
// is durable. Part of the server logic; every job operation goes through the JobStore.

import { PacketType as T } from '../protocol/packet-types.js';
import type { HandlerContext } from './context.js';
import * as E from './error-packets.js';
import { type FunctionEntry, type Job, PRIORITY_HIGH, PRIORITY_LOW, PRIORITY_NORMAL, type Priority } from './model.js';
import type { ServerConn } from './model.js';
import { atoi, encodeHandleOnly } from './wire.js';

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
export function handleSubmit(ctx: HandlerContext, conn: ServerConn, type: number, a: Buffer[]): boolean {
  const kind = SUBMIT_KINDS[type];
  if (!kind) return false;
  submit(ctx, conn, type, a, kind[0], kind[1]);
  return true;
}

function lookupFunction(ctx: HandlerContext, conn: ServerConn, name: Buffer): FunctionEntry {
  const cached = conn.lastFn;
  if (cached !== null && !cached.dropped && cached.nameBytes.equals(name)) return cached;
  const fn = ctx.store.ensureFunction(name.toString('latin1'));
  conn.lastFn = fn;
  return fn;
}

/** JOB_CREATED for `job`, once the job is durable (at once with the memory store). */
function replyCreated(ctx: HandlerContext, conn: ServerConn, job: Job): void {
  conn.sendAfter(ctx.store.commitOf(job), encodeHandleOnly(ctx.codec, T.JOB_CREATED, job.id), E.ERR_STORE_FAILED);
}

function submit(
  ctx: HandlerContext,
  conn: ServerConn,
  type: number,
  a: Buffer[],
  priority: Priority,
  background: boolean,
): void {
  // The decoder split exactly the type's argument count: 3 (4 for EPOCH, 5 for REDUCE).
  const uniqueBytes = a[1]!;
  if (uniqueBytes.length > MAX_UNIQUE_BYTES) {
    conn.send(E.ERR_UNIQUE_TOO_LARGE);
    return;
  }
  const isReduce = type === T.SUBMIT_REDUCE_JOB || type === T.SUBMIT_REDUCE_JOB_BACKGROUND;
  const data = (type === T.SUBMIT_JOB_EPOCH ? a[3] : isReduce ? a[4] : a[2])!;
  const fn = lookupFunction(ctx, conn, a[0]!);
  const unique = uniqueBytes.length === 0 ? '' : uniqueBytes.toString('latin1');
  // Unique "-" coalesces on the payload; the NUL prefix keeps it apart from real uniques (which cannot hold NUL).
  const uniqueKey = unique === '-' ? (data.length > 0 ? `\0${data.toString('latin1')}` : '') : unique;
  if (uniqueKey !== '') {
    const existing = ctx.store.byUnique(fn, uniqueKey);
    if (existing) {
      ctx.metrics.coalesced(fn, priority);
      if (!background) ctx.attach(conn, existing);
      replyCreated(ctx, conn, existing);
      return;
    }
  }
  if (!ctx.store.hasRoom(fn, priority)) {
    conn.send(E.ERR_QUEUE_FULL);
    return;
  }
  if (background && !ctx.store.canPersist()) {
    conn.send(E.ERR_STORE_FAILED); // the durable store is failing: refuse rather than acknowledge
    return;
  }
  let notBeforeMs = 0;
  if (type === T.SUBMIT_JOB_EPOCH) {
    notBeforeMs = atoi(a[2]!) * 1000;
    if (notBeforeMs <= ctx.clock.now()) notBeforeMs = 0;
  }
  const reducer = isReduce && a[2]!.length > 0 ? a[2]!.toString('latin1') : null;
  const payload = conn.keep(data);
  const job = ctx.store.create({ fn, unique, uniqueKey, payload, priority, background, reducer, notBeforeMs });
  ctx.metrics.submitted(fn, priority);
  if (!background) ctx.attach(conn, job);
  replyCreated(ctx, conn, job);
  ctx.admitted(job);
}
