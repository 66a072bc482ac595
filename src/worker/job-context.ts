// What a module handler receives for each job: `async (payload, job) => result`. This is the public
// contract of TS/JS worker modules.

export interface JobContext {
  /** The function name the job was submitted to. */
  readonly function: string;
  readonly handle: string;
  /** The client's unique id ('' when none). */
  readonly unique: string;
  /** Fires on the job's timeout or when the worker shuts down without time to finish. */
  readonly signal: AbortSignal;
  /** WORK_STATUS: progress as numerator/denominator. */
  status(numerator: number, denominator: number): void;
  /** WORK_DATA: a partial result streamed to waiting clients. */
  data(chunk: string | Uint8Array): void;
  /** WORK_WARNING: a warning streamed to waiting clients. */
  warning(text: string | Uint8Array): void;
}

/** A returned string/Buffer/Uint8Array is the result as is; any other value is sent as JSON. */
export type JobHandler = (payload: Buffer, job: JobContext) => unknown | Promise<unknown>;
