// WORK_* packets from workers (forwarded to attached clients, ending the job where they do) and the
// GET_STATUS / GET_STATUS_UNIQUE replies. Part of the server logic; no I/O beyond ServerConn.send.

import { encodeRes } from '../protocol/codec.js';
import { PacketType as T } from '../protocol/packet-types.js';
import type { HandlerContext } from './context.js';
import * as E from './error-packets.js';
import { isLive, JOB_RUNNING, type Job, type ServerConn } from './model.js';
import { atoi, encodeHandleOnly, encodeRaw } from './wire.js';

const MAX_HANDLE_BYTES = 64;

/** The whole payload the args were split from (they are contiguous views of it). */
function payloadOf(args: Buffer[]): Buffer {
  const first = args[0]!;
  const last = args[args.length - 1]!;
  return Buffer.from(first.buffer, first.byteOffset, last.byteOffset + last.length - first.byteOffset);
}

function notFound(type: number): Buffer {
  if (type === T.WORK_DATA || type === T.WORK_WARNING) return E.ERR_NOT_FOUND_EXIST;
  if (type === T.WORK_EXCEPTION) return E.ERR_NOT_FOUND_EXCEPTION;
  return E.ERR_NOT_FOUND_RESULT;
}

export function handleWorkResult(ctx: HandlerContext, conn: ServerConn, type: number, args: Buffer[]): void {
  // The decoder split exactly the type's argument count (1 to 3, the handle first).
  const handle = args[0]!;
  if (type === T.WORK_FAIL && handle.length >= MAX_HANDLE_BYTES) {
    conn.send(E.ERR_HANDLE_TOO_LARGE);
    return;
  }
  const id = ctx.codec.parse(handle);
  const job = id === 0 ? undefined : ctx.store.byId(id);
  if (job === undefined || job.worker !== conn || job.state !== JOB_RUNNING) {
    // Perl workers send WORK_FAIL right after WORK_EXCEPTION; a late packet for a job this connection
    // just finished (or that was cancelled under it) is ignored instead of drawing an ERROR.
    if (id !== 0 && conn.justFinished(id)) return;
    conn.send(notFound(type));
    return;
  }
  const clients = job.clients;
  switch (type) {
    case T.WORK_STATUS:
      job.numerator = atoi(args[1]!);
      job.denominator = atoi(args[2]!);
      if (clients !== null) forward(conn, clients, T.WORK_STATUS, payloadOf(args));
      return;
    case T.WORK_DATA:
    case T.WORK_WARNING:
      if (clients !== null) forward(conn, clients, type, payloadOf(args));
      return;
    case T.WORK_COMPLETE:
      if (clients !== null) forward(conn, clients, T.WORK_COMPLETE, payloadOf(args));
      ctx.metrics.completed(job);
      ctx.finish(job);
      return;
    case T.WORK_FAIL:
      if (clients !== null) forward(conn, clients, T.WORK_FAIL, handle);
      ctx.metrics.failed(job);
      ctx.finish(job);
      return;
    case T.WORK_EXCEPTION:
      if (clients !== null) {
        let raw: Buffer | [Buffer, Buffer] | null = null;
        let fail: Buffer | null = null;
        for (const c of clients) {
          // Without the exceptions option a client gets a plain WORK_FAIL h (gearmand adds a NUL).
          if (c.exceptions) c.send((raw ??= encodeRaw(T.WORK_EXCEPTION, payloadOf(args), conn)));
          else c.send((fail ??= encodeHandleOnly(ctx.codec, T.WORK_FAIL, job.id)));
        }
      }
      ctx.metrics.exception(job);
      ctx.finish(job);
      return;
  }
}

function forward(from: ServerConn, clients: ServerConn[], type: number, payload: Buffer): void {
  // The worker connection's views are only valid during this call: a large payload is kept, not queued as a view.
  const pkt = encodeRaw(type, payload, from);
  for (let i = 0; i < clients.length; i++) clients[i]!.send(pkt);
}

function lookup(ctx: HandlerContext, handle: Buffer): Job | undefined {
  const id = ctx.codec.parse(handle);
  const job = id === 0 ? undefined : ctx.store.byId(id);
  return isLive(job) ? job : undefined;
}

export function statusReply(ctx: HandlerContext, handle: Buffer): Buffer {
  const job = lookup(ctx, handle);
  if (!job) return encodeRes(T.STATUS_RES, handle, '0', '0', '0', '0');
  const running = job.state === JOB_RUNNING ? '1' : '0';
  return encodeRes(T.STATUS_RES, handle, '1', running, String(job.numerator), String(job.denominator));
}

export function statusUniqueReply(ctx: HandlerContext, unique: Buffer): Buffer {
  const job = unique.length === 0 ? undefined : ctx.store.newestByUnique(unique.toString('latin1'));
  if (!isLive(job)) return encodeRes(T.STATUS_RES_UNIQUE, unique, '0', '0', '0', '0', '0');
  const running = job.state === JOB_RUNNING ? '1' : '0';
  const clients = job.clients === null ? 0 : job.clients.length;
  return encodeRes(
    T.STATUS_RES_UNIQUE,
    unique,
    '1',
    running,
    String(job.numerator),
    String(job.denominator),
    String(clients),
  );
}
