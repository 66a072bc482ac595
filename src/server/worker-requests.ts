// The worker side of the protocol: registrations (CAN_DO, CAN_DO_TIMEOUT, CANT_DO, RESET_ABILITIES),
// PRE_SLEEP, and GRAB_JOB* handing out the next job with its per-assignment timeout. Part of the logic.

import { PacketType as T } from '../protocol/packet-types.js';
import type { HandlerContext } from './context.js';
import { runClock } from './metrics.js';
import { CONN_WORKER, JOB_RUNNING, type Job, type ServerConn } from './model.js';
import { atoi, encodeEmpty, encodeHandleFields } from './wire.js';

/** gearmand reads CAN_DO_TIMEOUT as ms with a floor of one second. */
const MIN_WORKER_TIMEOUT_MS = 1000;

const NOOP = encodeEmpty(T.NOOP);
const NO_JOB = encodeEmpty(T.NO_JOB);

/** CAN_DO (timeoutText null) or CAN_DO_TIMEOUT. */
export function canDo(ctx: HandlerContext, conn: ServerConn, name: Buffer, timeoutText: Buffer | null): void {
  const ms = timeoutText === null ? 0 : atoi(timeoutText);
  const timeoutMs = ms <= 0 ? 0 : Math.max(ms, MIN_WORKER_TIMEOUT_MS);
  const fn = ctx.store.ensureFunction(name.toString('latin1'));
  // A repeated CAN_DO re-registers (newest first for GRAB) instead of counting twice like gearmand.
  const i = conn.abilities.findIndex((ab) => ab.fn === fn);
  if (i >= 0) conn.abilities.splice(i, 1);
  conn.abilities.push({ fn, timeoutMs });
  conn.kind = CONN_WORKER;
  fn.workers.add(conn);
  if (conn.sleeping) fn.sleepers.add(conn);
}

export function cantDo(ctx: HandlerContext, conn: ServerConn, name: string): void {
  const i = conn.abilities.findIndex((ab) => ab.fn.name === name);
  if (i < 0) return;
  const fn = conn.abilities[i]!.fn;
  conn.abilities.splice(i, 1);
  fn.workers.delete(conn);
  fn.sleepers.delete(conn);
  for (const job of [...conn.held]) if (job.fn === fn) ctx.requeue(job);
}

export function resetAbilities(ctx: HandlerContext, conn: ServerConn): void {
  for (const ab of [...conn.abilities]) cantDo(ctx, conn, ab.fn.name);
}

/** NOOP at once when a registered function has a runnable job; else the worker sleeps until woken. */
export function preSleep(conn: ServerConn): void {
  for (const ab of conn.abilities) {
    if (ab.fn.hasRunnable()) {
      conn.sleeping = false;
      conn.send(NOOP);
      return;
    }
  }
  conn.sleeping = true;
  for (const ab of conn.abilities) ab.fn.sleepers.add(conn);
}

/** GRAB_JOB, GRAB_JOB_UNIQ or GRAB_JOB_ALL: the newest registration with a runnable job wins. */
export function grab(ctx: HandlerContext, conn: ServerConn, grabType: number): void {
  conn.sleeping = false;
  const abilities = conn.abilities;
  for (let i = abilities.length - 1; i >= 0; i--) {
    const ability = abilities[i]!;
    const job = ctx.store.takeRunnable(ability.fn);
    if (job !== null) {
      assign(ctx, conn, job, ability.timeoutMs, grabType);
      return;
    }
  }
  conn.send(NO_JOB);
}

function assign(ctx: HandlerContext, conn: ServerConn, job: Job, timeoutMs: number, grabType: number): void {
  job.worker = conn;
  job.startedMs = runClock();
  conn.held.add(job);
  if (timeoutMs > 0) job.timer = ctx.clock.setTimeout(() => onWorkerTimeout(ctx, job, conn), timeoutMs);
  const fnName = job.fn.nameBytes;
  if (grabType === T.GRAB_JOB) {
    conn.send(encodeHandleFields(ctx.codec, T.JOB_ASSIGN, job.id, [fnName], job.payload));
    return;
  }
  const unique = Buffer.from(job.unique, 'latin1');
  if (grabType === T.GRAB_JOB_ALL && job.reducer !== null) {
    const fields = [fnName, unique, Buffer.from(job.reducer, 'latin1')];
    conn.send(encodeHandleFields(ctx.codec, T.JOB_ASSIGN_ALL, job.id, fields, job.payload));
  } else {
    conn.send(encodeHandleFields(ctx.codec, T.JOB_ASSIGN_UNIQ, job.id, [fnName, unique], job.payload));
  }
}

function onWorkerTimeout(ctx: HandlerContext, job: Job, conn: ServerConn): void {
  job.timer = null;
  if (job.state === JOB_RUNNING && job.worker === conn) ctx.requeue(job);
}

/** One NOOP to each sleeping worker of `fn`'s sleepers; a woken worker gets no second NOOP until it sleeps again. */
export function wakeSleepers(sleepers: Set<ServerConn>): void {
  if (sleepers.size === 0) return;
  for (const w of sleepers) {
    if (w.sleeping && !w.closed) {
      w.sleeping = false;
      w.send(NOOP);
    }
  }
  sleepers.clear();
}
