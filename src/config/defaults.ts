// Every default of the config in one place (docs/config.md repeats them). Restart timing follows
// Supervisor's startsecs=1 / startretries=3, with exponential backoff from 100 ms capped at 10 s.

export const DEFAULT_LISTEN = '127.0.0.1:4730';

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
} as const;

export const LOG_DEFAULTS = {
  maxBytes: 10 * 1024 * 1024,
  keep: 5,
} as const;

/** Guards against typos that would fork thousands of processes. */
export const LIMITS = {
  maxInstances: 1024,
  maxPerCore: 64,
  maxConcurrency: 10_000,
  maxRetries: 1000,
} as const;

export const TOP_LEVEL_KEYS = ['servers', 'server', 'workers', 'logs', 'state_dir'] as const;
export const SERVER_KEYS = ['listen'] as const;
export const LOG_KEYS = ['max_size', 'keep'] as const;
export const RESTART_KEYS = ['initial_backoff', 'max_backoff', 'retries', 'start_seconds'] as const;
export const WORKER_KEYS = [
  'function',
  'module',
  'command',
  'process',
  'shell',
  'per_core',
  'instances',
  'concurrency',
  'timeout',
  'env',
  'cwd',
  'servers',
  'max_jobs',
  'max_memory',
  'max_lifetime',
  'stop_timeout',
  'restart',
  'exceptions',
] as const;
