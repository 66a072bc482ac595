// The normalised, fully defaulted config that everything after validation uses. Names carry units.
// `WorkerSpec` is what one worker process runs; `ProgramConfig` adds what the supervisor needs.

export type WorkerKind = 'module' | 'command' | 'process';

/** What one worker process runs: sent to the worker in its init message, or built by `gmsup work`. */
export interface WorkerSpec {
  /** The key under `workers:` in the YAML file (or the function name for `gmsup work`). */
  name: string;
  /** The function name registered with the job servers (the `function:` key, default `name`). */
  function: string;
  kind: WorkerKind;
  /** module: absolute path of the .ts/.js/.mjs file. */
  modulePath?: string;
  /** command / process: argv (already split), or a single string run by /bin/sh when `shell` is true. */
  command?: string[];
  shell?: boolean;
  /** Job servers, `host:port` each. */
  servers: string[];
  /** Jobs in flight at once in this process (module and command kinds). */
  concurrency: number;
  /** Per-job time limit; null = none. Also registered as CAN_DO_TIMEOUT. */
  timeoutMs: number | null;
  env: Record<string, string>;
  cwd: string;
  /** Exit cleanly after this many jobs (recycling); null = never. */
  maxJobs: number | null;
  /** Graceful stop: time to finish in-flight jobs before abandoning them. */
  stopTimeoutMs: number;
  /**
   * How a failed job is reported. true: WORK_EXCEPTION with the error text; false: plain WORK_FAIL.
   * Absent ("auto"): WORK_EXCEPTION on gmsup job servers, WORK_FAIL on others, because gearmand 1.1.20
   * turns an exception into a malformed WORK_FAIL for clients that did not ask for exceptions (the
   * `gearman` CLI then hangs and Perl's Gearman::Client dies).
   */
  exceptions?: boolean;
}

export interface RestartPolicy {
  /** Up this long after spawn counts as a successful start (STARTING -> RUNNING). */
  startSecsMs: number;
  /** Failed starts in a row before FATAL. */
  startRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface ProgramConfig extends WorkerSpec {
  /** Resolved instance count (per_core x cores, or instances). */
  instances: number;
  /** The `per_core` value when the count came from it, for display. */
  perCore: number | null;
  maxMemoryBytes: number | null;
  maxLifetimeMs: number | null;
  restart: RestartPolicy;
  /** Where the key sits in the file, for messages. */
  source: { file: string; line: number; col: number };
}

export interface EmbeddedServerConfig {
  host: string;
  port: number;
}

export interface Config {
  /** Absolute path of the config file. */
  file: string;
  /** Directory holding the control socket, pid file and logs. */
  stateDir: string;
  /**
   * Job servers workers use by default (`host:port`). Without a `servers:` key this is the embedded
   * server's connect address; if `server.listen` has port 0 that entry reads `host:0` until
   * `bindEmbeddedServer()` (config/embedded.ts) substitutes the bound port.
   */
  servers: string[];
  /** The embedded job server as configured (port 0 = any free port), or null for none. */
  server: EmbeddedServerConfig | null;
  programs: ProgramConfig[];
  logs: { maxBytes: number; keep: number };
}
