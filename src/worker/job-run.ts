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

/**
 * Starts the handler now. Its outcome is handled one microtask later, as `await` would (callers rely
 * on runJob returning before onEnd fires).
 */
export function runJob(opts: RunJobOptions): RunningJob {
  return new JobRun(opts);
}

/**
 * One running job: its own JobContext and RunningJob. A class, not closures: the hot path of a trivial
 * job allocates one object here instead of a dozen functions (GC was a top item per job).
 */
class JobRun implements JobContext, RunningJob {
  readonly function: string;
  readonly handle: string;
  readonly unique: string;
  // Internals are #private: a handler that logs, spreads or JSON-encodes its JobContext sees only the
  // public fields, as with the plain object this replaced.
  #finished = false;
  /** The handle was decoded as latin1: these are the identical bytes to send back. */
  readonly #handleBytes: Buffer;
  /** Created on first use: an AbortController per job costs more than a trivial job itself (GC). */
  #controller: AbortController | null = null;
  #abortReason: unknown = undefined;
  #timer: NodeJS.Timeout | null = null;
  readonly #opts: RunJobOptions;

  constructor(opts: RunJobOptions) {
    this.#opts = opts;
    const { job } = opts;
    this.function = job.function;
    this.handle = job.handle;
    this.unique = job.unique;
    this.#handleBytes = Buffer.from(job.handle, 'latin1');
    if (opts.timeoutMs !== null && opts.timeoutMs > 0) {
      const timeoutMs = opts.timeoutMs;
      this.#timer = setTimeout(() => {
        const reason = new GmsupError('TIMEOUT', `job timed out after ${timeoutMs} ms`);
        this.#abort(reason);
        this.#fail(reason.message);
      }, timeoutMs);
    }
    let value: unknown;
    try {
      value = opts.handler(job.payload, this);
    } catch (err) {
      queueMicrotask(() => this.#failWith(err));
      return;
    }
    if (
      value !== null &&
      (typeof value === 'object' || typeof value === 'function') &&
      typeof (value as PromiseLike<unknown>).then === 'function'
    ) {
      // Followed the way `await` follows a promise or thenable.
      Promise.resolve(value as PromiseLike<unknown>).then(
        (v) => this.#complete(v),
        (err) => this.#failWith(err),
      );
    } else {
      // A plain value: no promise, one microtask (the async/await version cost a promise and more hops).
      queueMicrotask(() => this.#complete(value));
    }
  }

  get finished(): boolean {
    return this.#finished;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  status(numerator: number, denominator: number): void {
    if (!this.#finished)
      this.#opts.conn.send(PacketType.WORK_STATUS, this.#handleBytes, String(numerator), String(denominator));
  }

  data(chunk: string | Uint8Array): void {
    if (!this.#finished) this.#opts.conn.send(PacketType.WORK_DATA, this.#handleBytes, chunk);
  }

  warning(text: string | Uint8Array): void {
    if (!this.#finished) this.#opts.conn.send(PacketType.WORK_WARNING, this.#handleBytes, text);
  }

  abandon(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#abort(new GmsupError('TIMEOUT', 'worker shutting down'));
    this.#opts.log('abandoned at shutdown; the job server re-queues it');
  }

  #abort(reason: unknown): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  #complete(value: unknown): void {
    if (this.#finished) return;
    let bytes: string | Uint8Array;
    try {
      bytes = resultBytes(value); // JSON.stringify throws on a BigInt or a cycle
    } catch (err) {
      this.#fail(`cannot encode the result: ${exceptionText(err)}`);
      return;
    }
    this.#markFinished();
    this.#opts.conn.send(PacketType.WORK_COMPLETE, this.#handleBytes, bytes);
    this.#opts.onEnd(true);
  }

  #failWith(err: unknown): void {
    if (!this.#finished) this.#fail(exceptionText(err));
  }

  #fail(text: string): void {
    if (!this.#markFinished()) return;
    if (this.#opts.sendExceptions) this.#opts.conn.send(PacketType.WORK_EXCEPTION, this.#handleBytes, text);
    else this.#opts.conn.send(PacketType.WORK_FAIL, this.#handleBytes);
    this.#opts.onEnd(false);
  }

  /** Marks the job finished and stops its timeout; false when it already was (so exactly one terminal packet). */
  #markFinished(): boolean {
    if (this.#finished) return false;
    this.#finished = true;
    if (this.#timer) clearTimeout(this.#timer);
    return true;
  }
}
