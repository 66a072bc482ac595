// GmsupError and the one table of stable error codes: each code maps to a CLI exit status and is the
// code the control protocol carries. Anything crossing a module boundary throws a GmsupError.

export const ErrorCodes = {
  /** Wrong command-line usage. */
  USAGE: { exit: 64 },
  /** The config file is invalid (YAML syntax, schema, missing files). */
  CONFIG_INVALID: { exit: 2 },
  /** The job store (`server.store`, `--store`) cannot be opened: fixed in the setting or the database, like config. */
  STORE_UNAVAILABLE: { exit: 2 },
  /** No daemon answers on the control socket for this config. */
  NO_DAEMON: { exit: 3 },
  /** A submitted job failed (WORK_FAIL or WORK_EXCEPTION). */
  JOB_FAILED: { exit: 4 },
  /** No job server could be reached. */
  SERVER_UNREACHABLE: { exit: 5 },
  /** A job server answered with an ERROR packet or an ERR admin reply. */
  SERVER_ERROR: { exit: 6 },
  /** The peer broke the protocol. */
  PROTOCOL: { exit: 7 },
  /** A name (worker, instance) that the daemon does not know. */
  BAD_NAME: { exit: 8 },
  /** A daemon already runs for this config, or the listen address is taken. */
  ALREADY_RUNNING: { exit: 9 },
  /** A worker could not be loaded or spawned. */
  SPAWN_ERROR: { exit: 10 },
  /** An operation did not finish in its time limit. */
  TIMEOUT: { exit: 11 },
  /** Something needs a terminal and there is none. */
  NO_TTY: { exit: 12 },
  /** A bug or an unexpected failure. */
  INTERNAL: { exit: 70 },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class GmsupError extends Error {
  override readonly name = 'GmsupError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return ErrorCodes[this.code].exit;
  }
}

export function exitCodeOf(err: unknown): number {
  return err instanceof GmsupError ? err.exitCode : ErrorCodes.INTERNAL.exit;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}

/** Plain-object form for IPC and the control protocol. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof GmsupError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function deserializeError(data: SerializedError): GmsupError {
  return new GmsupError(isErrorCode(data.code) ? data.code : 'INTERNAL', data.message);
}
