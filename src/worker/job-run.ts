// Runs one assigned job through a JobHandler: builds its JobContext, enforces the timeout with an
// AbortSignal, and sends exactly one of WORK_COMPLETE / WORK_EXCEPTION / WORK_FAIL back on the
// connection that assigned it. gearmand (and the embedded server) end a job on WORK_EXCEPTION, so no
// WORK_FAIL follows it: a second terminal packet would only draw a JOB_NOT_FOUND ERROR.

import { PacketType } from '../protocol/packet-types.js';
import type { GearmanConnection } from '../transport/gearman-connection.js';
import { GmsupError } from '../shared/errors.js';
import type { AssignedJob } from './connection-fsm.js';
import type { JobContext, JobHandler } from './job-context.js';
import { exceptionText, resultBytes } from './result.js';

export interface RunJobOptions {
  job: AssignedJob;
  conn: GearmanConnection;
  handler: JobHandler;
  timeoutMs: number | null;
  sendExceptions: boolean;
  /** Called once, when the job's outcome was sent (or the job was abandoned). */
  onEnd(ok: boolean): void;
  log(line: string): void;
}

export interface RunningJob {
  readonly handle: string;
  readonly finished: boolean;
  /** Shutdown without time to finish: abort the handler, send nothing (the server re-queues). */
  abandon(): void;
}

export function runJob(opts: RunJobOptions): RunningJob {
  const { job, conn } = opts;
  // The handle was decoded as latin1: send the identical bytes back.
  const handle = Buffer.from(job.handle, 'latin1');
  // Created on first use: an AbortController per job costs more than a trivial job itself (GC).
  let controller: AbortController | null = null;
  let abortReason: unknown;
  const abort = (reason: unknown): void => {
    if (abortReason !== undefined) return;
    abortReason = reason;
    controller?.abort(reason);
  };
  let finished = false;
  let timer: NodeJS.Timeout | null = null;

  const end = (ok: boolean, send: () => void): void => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    send();
    opts.onEnd(ok);
  };
  const fail = (text: string): void => {
    end(false, () => {
      if (opts.sendExceptions) conn.send(PacketType.WORK_EXCEPTION, handle, text);
      else conn.send(PacketType.WORK_FAIL, handle);
    });
  };

  const ctx: JobContext = {
    function: job.function,
    handle: job.handle,
    unique: job.unique,
    get signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController();
        if (abortReason !== undefined) controller.abort(abortReason);
      }
      return controller.signal;
    },
    status(numerator: number, denominator: number): void {
      if (!finished) conn.send(PacketType.WORK_STATUS, handle, String(numerator), String(denominator));
    },
    data(chunk: string | Uint8Array): void {
      if (!finished) conn.send(PacketType.WORK_DATA, handle, chunk);
    },
    warning(text: string | Uint8Array): void {
      if (!finished) conn.send(PacketType.WORK_WARNING, handle, text);
    },
  };

  if (opts.timeoutMs !== null && opts.timeoutMs > 0) {
    const timeoutMs = opts.timeoutMs;
    timer = setTimeout(() => {
      const reason = new GmsupError('TIMEOUT', `job timed out after ${timeoutMs} ms`);
      abort(reason);
      fail(reason.message);
    }, timeoutMs);
  }

  void (async () => {
    try {
      const value = await opts.handler(job.payload, ctx);
      end(true, () => conn.send(PacketType.WORK_COMPLETE, handle, resultBytes(value)));
    } catch (err) {
      if (finished) return;
      fail(exceptionText(err));
    }
  })();

  return {
    handle: job.handle,
    get finished() {
      return finished;
    },
    abandon(): void {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      abort(new GmsupError('TIMEOUT', 'worker shutting down'));
      opts.log('abandoned at shutdown; the job server re-queues it');
    },
  };
}
