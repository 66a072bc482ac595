// GmsupError and the one table of stable error codes: each code maps to a CLI exit status and is the
// code the control protocol carries. Anything crossing a module boundary throws a GmsupError.
// The README's exit status table is generated from this one (`exitStatusTable()`; a test compares them).

export const ErrorCodes = {
  /** The config file is invalid (YAML syntax, schema, missing files). */
  CONFIG_INVALID: { exit: 2, doc: 'invalid workers file: every problem is listed as `file:line:col key: message`' },
  /** The job store (`server.store`, `--store`) cannot be opened: fixed in the setting or the database, like config. */
  STORE_UNAVAILABLE: { exit: 2, doc: 'the job store (`server.store`, `--store`) cannot be opened' },
  /** No daemon answers on the control socket for this config. */
  NO_DAEMON: { exit: 3, doc: 'no daemon is running for this workers file (state directory)' },
  /** A submitted job failed (WORK_FAIL or WORK_EXCEPTION). */
  JOB_FAILED: { exit: 4, doc: 'the job failed (`submit`; the exception text goes to stderr)' },
  /** No job server could be reached. */
  SERVER_UNREACHABLE: {
    exit: 5,
    doc: "a job server could not be reached (`submit`, `admin`; `status` when one of the daemon's is down)",
  },
  /** A job server answered with an ERROR packet or an ERR admin reply. */
  SERVER_ERROR: { exit: 6, doc: 'a job server answered with an error (`ERR` admin reply, `ERROR` packet)' },
  /** The peer broke the protocol. */
  PROTOCOL: { exit: 7, doc: 'a job server or the daemon broke the protocol' },
  /** A name (worker, instance) that the daemon does not know. */
  BAD_NAME: { exit: 8, doc: 'no worker (or instance index) of that name' },
  /** A daemon already runs for this config (its control socket answers). */
  ALREADY_RUNNING: { exit: 9, doc: 'a daemon is already running for this workers file' },
  /** A worker could not be loaded or spawned. */
  SPAWN_ERROR: { exit: 10, doc: 'a worker could not be loaded or spawned' },
  /** An operation did not finish in its time limit. */
  TIMEOUT: { exit: 11, doc: 'an operation did not finish in its time limit' },
  /** Something needs a terminal and there is none. */
  NO_TTY: { exit: 12, doc: 'the dashboard needs a terminal' },
  /**
   * The state directory (control socket, pid file, logs) is not safe to use: writable by others, owned
   * by another user, or a file in it is a symbolic link or not a regular file.
   */
  STATE_UNSAFE: {
    exit: 13,
    doc: 'the state directory is not safe: writable by others, owned by another user, or a file in it is a symlink',
  },
  /** A listen address (embedded job server, HTTP) is taken by another process. */
  ADDRESS_IN_USE: { exit: 14, doc: 'a listen address (`server.listen`, `--listen`) is in use by another process' },
  /** A listen address cannot be used on this machine (not a local address, unknown host, no permission). */
  CANNOT_LISTEN: {
    exit: 15,
    doc: 'a listen address cannot be used here: not an address of this machine, unknown host, or no permission',
  },
  /** The state directory (control socket, pid file, logs) cannot be used as it is. */
  STATE_DIR: {
    exit: 16,
    doc: 'the state directory cannot be used: not creatable or writable, or something else sits at the socket path',
  },
  /** `gmsup status`: an instance is FATAL (it gave up restarting). */
  INSTANCE_FATAL: {
    exit: 17,
    doc: '`status`: an instance is FATAL (wins over 5 when both hold; workers stopped on purpose do not count)',
  },
  /** `gmsup status`: a job server's store is failing (background submissions are refused while it retries). */
  STORE_FAILING: {
    exit: 20,
    doc: '`status`: a job store is failing: background jobs are refused (wins over 5; 17 wins over it)',
  },
  /** Nothing to act on: the named worker has no running process (`gmsup signal`). */
  NOT_RUNNING: { exit: 18, doc: '`signal`: the worker has no running process to signal' },
  /** A file that would be written already exists (`gmsup init` without --force). */
  FILE_EXISTS: { exit: 19, doc: '`init`: a file it would write exists (use `--force`)' },
  /** Wrong command-line usage. */
  USAGE: { exit: 64, doc: 'wrong command-line usage (unknown option, missing argument)' },
  /** A bug or an unexpected failure. */
  INTERNAL: { exit: 70, doc: 'an unexpected failure (a bug: please report it with the message)' },
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

/** The code whose exit status is `exit`, if any (a detached daemon's exit status back to its code). */
export function codeOfExit(exit: number): ErrorCode | undefined {
  return (Object.keys(ErrorCodes) as ErrorCode[]).find((c) => ErrorCodes[c].exit === exit);
}

/** The Markdown table of exit statuses (README), ordered by status; several codes may share one. */
export function exitStatusTable(): string {
  const byExit = new Map<number, string[]>();
  for (const code of Object.keys(ErrorCodes) as ErrorCode[]) {
    const e = ErrorCodes[code];
    byExit.set(e.exit, [...(byExit.get(e.exit) ?? []), `${e.doc} (\`${code}\`)`]);
  }
  const rows = [...byExit].sort(([a], [b]) => a - b).map(([exit, docs]) => `| ${exit} | ${docs.join('; ')} |`);
  return ['| exit | meaning |', '|---|---|', '| 0 | success |', ...rows].join('\n');
}
