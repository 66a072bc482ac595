// Every default of the config in one place (docs/config.md repeats them). Restart timing follows
// Supervisor's startsecs=1 / startretries=3, with exponential backoff from 100 ms capped at 10 s.

import { DEFAULT_SERVER_ADDRESS } from '../shared/host-port.js';

/** The embedded job server's address when `server:` has no `listen`. */
export const DEFAULT_LISTEN = DEFAULT_SERVER_ADDRESS;

export const WORKER_DEFAULTS = {
  instances: 1,
  concurrency: 1,
  timeoutMs: null,
  maxJobs: null,
  maxMemoryBytes: null,
  maxLifetimeMs: null,
  /** Like Supervisor's stopwaitsecs: 10 s to drain before SIGKILL. */
  stopTimeoutMs: 10_000,
} as const;

export const RESTART_DEFAULTS = {
  startSecsMs: 1_000,
  startRetries: 3,
  initialBackoffMs: 100,
  maxBackoffMs: 10_000,
  /** Off: like Supervisor, FATAL waits for a person unless `fatal_retry` asks otherwise. */
  fatalRetryMs: null,
} as const;

export const LOG_DEFAULTS = {
  maxBytes: 10 * 1024 * 1024,
  keep: 5,
  compress: false,
  format: 'text',
  /** 4 MiB per file: about 40,000 lines of 100 bytes, a second of a very chatty worker. */
  bufferBytes: 4 * 1024 * 1024,
} as const;

/** Bounds of `logs.buffer`: below, a burst drops lines at once; above, a stuck disk holds that much memory. */
export const LOG_BUFFER_LIMITS = { minBytes: 64 * 1024, maxBytes: 1024 * 1024 * 1024 } as const;
export const LOG_FORMATS = ['text', 'json'] as const;

/**
 * How the daemon times a worker instance's life (docs/config.md explains each). Fixed, not settable:
 * they bound what the settable ones (stop_timeout, restart.*) leave open.
 */
export const SUPERVISOR_TIMINGS = {
  /** After SIGTERM to an instance's process group, SIGKILL follows this much later. */
  termGraceMs: 2_000,
  /** A started process that has not said `worker:ready` by then is killed (a failed start). */
  readyTimeoutMs: 30_000,
  /** A crash after this much uptime (or start_seconds, if longer) restarts at once; quicker crashes back off. */
  stableMinMs: 10_000,
  /** The daemon waits this long beyond stop_timeout for a draining worker before it SIGTERMs it. */
  drainSlackMs: 500,
  /** A program's stopAll waits this long beyond stop_timeout for its instances to settle. */
  stopAllSlackMs: 5_000,
  /** A replacement (recycle, rolling restart) that is not RUNNING by then is given up; the old one stays. */
  replacementTimeoutMs: 60_000,
  /** A warm spare that dies unused is replaced at most this often. */
  spareRetryMs: 5_000,
  /** Workers batch their job:end reports over IPC at most this often. */
  ipcBatchMs: 100,
  /** Samplers (pidusage, job servers' status/workers) run this often. */
  sampleIntervalMs: 1_000,
} as const;

/**
 * Defaults of a worker's `autoscale:` block (docs/autoscale.md says why). `max` has none: how many
 * processes a worker may grow to is the user's call.
 */
export const AUTOSCALE_DEFAULTS = {
  min: 1,
  targetWaitMs: 2_000,
  cooldownMs: 30_000,
  /** Scale-ups wait while the 1-minute load average is above cores x this. */
  maxLoadPerCore: 2,
  /** Scale-ups wait while the machine's available memory (MemAvailable) is below this. */
  minFreeMemoryBytes: 256 * 2 ** 20,
} as const;

/** How the autoscaler paces itself (fixed: the flapping bound in docs/autoscale.md rests on them). */
export const AUTOSCALE_TIMINGS = {
  /** Two changes of one worker's count are at least this far apart: at most 12 changes a minute. */
  minChangeIntervalMs: 5_000,
  /** The completion rate and the time a job takes are measured over this much recent history. */
  rateWindowMs: 5_000,
  /**
   * A job in flight longer than this counts as busy from the daemon's list of running jobs, and its
   * reported duration counts toward the busy figure only up to this (the rest was counted while it ran).
   */
  longJobMs: 1_000,
} as const;

/** Guards against typos that would fork thousands of processes. */
export const LIMITS = {
  maxInstances: 1024,
  maxPerCore: 64,
  maxConcurrency: 10_000,
  maxRetries: 1000,
  /** `max_processes` may say at most this (the per-worker limits multiplied out, rounded up). */
  maxProcesses: 1_000_000,
  /** The autoscaler keeps one sample a second over the cooldown: an hour is plenty. */
  maxCooldownMs: 3_600_000,
  maxLoadPerCore: 1000,
} as const;

export const TOP_LEVEL_KEYS = [
  'servers',
  'server',
  'workers',
  'logs',
  'state_dir',
  'env_file',
  'max_processes',
] as const;
export const SERVER_KEYS = [
  'listen',
  'store',
  'keepalive',
  'max_packet_size',
  'http',
  'http_token',
  'http_timeout',
  'http_max_body',
] as const;
/** The embedded server's default job store: `sqlite:<state dir>/jobs.db` (docs/store.md). */
export const DEFAULT_STORE_FILE = 'jobs.db';
export const LOG_KEYS = ['max_size', 'keep', 'compress', 'format', 'buffer'] as const;
export const RESTART_KEYS = ['initial_backoff', 'max_backoff', 'retries', 'start_seconds', 'fatal_retry'] as const;
export const AUTOSCALE_KEYS = [
  'min',
  'max',
  'target_wait',
  'cooldown',
  'max_load_per_core',
  'min_free_memory',
] as const;
export const WORKER_KEYS = [
  'function',
  'module',
  'command',
  'process',
  'shell',
  'per_core',
  'instances',
  'autoscale',
  'concurrency',
  'timeout',
  'env',
  'env_file',
  'cwd',
  'servers',
  'max_jobs',
  'max_memory',
  'max_lifetime',
  'stop_timeout',
  'restart',
  'exceptions',
  'keepalive',
] as const;
