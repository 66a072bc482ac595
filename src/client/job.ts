// What a submission is while in flight: options, the caller's callbacks and promise, and the packet
// type it is sent with. Shared by the client and its per-server connections; no I/O here.

import { PacketType } from '../protocol/packet-types.js';
import { GmsupError } from '../shared/errors.js';

export type Priority = 'high' | 'normal' | 'low';

export interface SubmitOptions {
  priority?: Priority;
  /** Jobs with the same function and unique coalesce on the server. Default '' (never coalesced). */
  unique?: string;
  /** Ask the server to forward WORK_EXCEPTION (OPTION_REQ exceptions on this connection). */
  exceptions?: boolean;
  onStatus?(numerator: number, denominator: number): void;
  onData?(chunk: Buffer): void;
  onWarning?(chunk: Buffer): void;
  /** Reject with TIMEOUT if no result arrives in time. No timer exists unless this is set. */
  timeoutMs?: number;
}

export interface JobStatus {
  known: boolean;
  running: boolean;
  numerator: number;
  denominator: number;
}

/** A failed job: WORK_FAIL, or WORK_EXCEPTION whose text is kept in `exception`. */
export class JobFailedError extends GmsupError {
  constructor(
    readonly handle: string,
    readonly exception: Buffer | undefined,
    fn: string,
  ) {
    super(
      'JOB_FAILED',
      exception !== undefined
        ? `job ${fn} (${handle}) failed: ${exception.toString('utf8')}`
        : `job ${fn} (${handle}) failed`,
    );
  }
}

export interface PendingJob {
  readonly fn: string;
  readonly payload: string | Uint8Array;
  readonly unique: string;
  readonly packetType: number;
  readonly background: boolean;
  readonly options: SubmitOptions;
  /** Settles the caller's promise: the result (foreground) or the handle (background). */
  readonly resolve: (value: Buffer | string) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
  /** Set once the promise has settled; late packets for the job are then ignored. */
  done: boolean;
  /** Servers this job has been sent to (failover bound). */
  attempts: number;
  /** Connects this job waited on that failed (bounds how often it waits before giving up). */
  connectFailures: number;
  /** Index of the server it was last sent to; -1 before it is sent. */
  server: number;
  handle: string | undefined;
  /** Same-connection submissions of the same (function, unique) waiting on this job's JOB_CREATED. */
  followers: PendingJob[] | undefined;
}

const TYPES: Record<Priority, [fg: number, bg: number]> = {
  high: [PacketType.SUBMIT_JOB_HIGH, PacketType.SUBMIT_JOB_HIGH_BG],
  normal: [PacketType.SUBMIT_JOB, PacketType.SUBMIT_JOB_BG],
  low: [PacketType.SUBMIT_JOB_LOW, PacketType.SUBMIT_JOB_LOW_BG],
};

export function submitPacketType(priority: Priority, background: boolean): number {
  const pair = TYPES[priority];
  if (!pair) throw new GmsupError('USAGE', `unknown priority ${JSON.stringify(priority)} (high, normal or low)`);
  return pair[background ? 1 : 0];
}

export function settle(job: PendingJob, err: Error | undefined, value?: Buffer | string): void {
  if (job.done) return;
  job.done = true;
  if (job.timer !== undefined) clearTimeout(job.timer);
  if (err) job.reject(err);
  else job.resolve(value as Buffer | string);
}
