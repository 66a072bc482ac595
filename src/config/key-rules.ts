// The type and range of every key of the workers file, one rule per entry of the key lists in
// defaults.ts (TypeScript refuses a key without a rule). The validators read their ranges from here and
// schema.ts turns the same rules into the JSON Schema editors use (schema/workers.schema.json), so the
// two cannot disagree on what a key takes. Pure data.

import { MODULE_EXTENSIONS } from '../worker/module-files.js';
import type { KEEPALIVE_KEYS } from './keepalive.js';
import {
  type AUTOSCALE_KEYS,
  LIMITS,
  LOG_FORMATS,
  type LOG_KEYS,
  type RESTART_KEYS,
  type SERVER_KEYS,
  type TOP_LEVEL_KEYS,
  type WORKER_KEYS,
} from './defaults.js';

export type KeyRule =
  | { type: 'string'; description: string; pattern?: string }
  | { type: 'boolean'; description: string }
  | { type: 'integer'; description: string; min: number; max: number }
  /** A number above 0 (fractions allowed), at most max; `orFalse`: or false (off). */
  | { type: 'positive-number'; description: string; max: number; orFalse?: boolean }
  /** A number of milliseconds or a string like 500ms, 30s, 1h30m. */
  | { type: 'duration'; description: string; allowZero: boolean }
  /** restart.start_seconds: a number of seconds or a duration string. */
  | { type: 'seconds-or-duration'; description: string }
  /** A number of bytes or a string like 512MB, 1GiB; `orFalse`: or false (off). */
  | { type: 'size'; description: string; orFalse?: boolean }
  /** One string or a list of strings (`servers`, `env_file`). */
  | { type: 'string-or-list'; description: string }
  /** A command line as one string, or its argv as a list. */
  | { type: 'command'; description: string }
  | { type: 'enum'; description: string; values: readonly (string | boolean)[] }
  /** NAME: value pairs (values are strings, numbers or booleans). */
  | { type: 'env'; description: string }
  /** A nested map of known keys (`required`: keys it must have). */
  | { type: 'map'; description: string; keys: Readonly<Record<string, KeyRule>>; required?: readonly string[] }
  /** `server:` — false (none), empty (defaults), or a map. */
  | { type: 'server'; description: string; keys: Readonly<Record<string, KeyRule>> }
  /** TCP keepalive: true/empty (defaults), false or `off`, or a map of its own keys (config/keepalive.ts). */
  | { type: 'keepalive'; description: string; keys: Readonly<Record<string, KeyRule>> }
  /** `workers:` — worker name -> settings. */
  | { type: 'workers'; description: string; namePattern: string; keys: Readonly<Record<string, KeyRule>> };

const DURATION = (description: string, allowZero = false): KeyRule => ({ type: 'duration', description, allowZero });

/** Worker names: they name log files (`logs/<name>.log`). */
export const WORKER_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]*$';
/** Environment variable names. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

export const KEEPALIVE_RULES: Record<(typeof KEEPALIVE_KEYS)[number], KeyRule> = {
  idle: DURATION('Idle time before the first probe. Default 10s.'),
  interval: DURATION('Time between probes. Default 2s.'),
  count: { type: 'integer', min: 1, max: 127, description: 'Unanswered probes before the peer is dead. Default 3.' },
  user_timeout: DURATION('Unacknowledged data this long drops the connection (TCP_USER_TIMEOUT).'),
};

const KEEPALIVE: KeyRule = {
  type: 'keepalive',
  keys: KEEPALIVE_RULES,
  description: 'TCP keepalive: a map of idle, interval, count, user_timeout; or false/off.',
};

export const AUTOSCALE_RULES: Record<(typeof AUTOSCALE_KEYS)[number], KeyRule> = {
  min: { type: 'integer', min: 0, max: LIMITS.maxInstances, description: 'Fewest instances (0 allowed). Default 1.' },
  max: { type: 'integer', min: 1, max: LIMITS.maxInstances, description: 'Most instances (required).' },
  target_wait: DURATION('Scale up when a new job would wait longer than this. Default 2s.'),
  cooldown: DURATION('Instances idle this long are removed (at most 1h). Default 30s.'),
  max_load_per_core: {
    type: 'positive-number',
    max: LIMITS.maxLoadPerCore,
    orFalse: true,
    description: 'No scale-up while the load average is above cores x this (false: off). Default 2.',
  },
  min_free_memory: {
    type: 'size',
    orFalse: true,
    description: 'No scale-up while available memory is below this (false: off). Default 256MiB.',
  },
};

export const RESTART_RULES: Record<(typeof RESTART_KEYS)[number], KeyRule> = {
  initial_backoff: DURATION('First restart delay (doubles each time). Default 100ms.'),
  max_backoff: DURATION('Cap of the restart delay. Default 10s.'),
  retries: {
    type: 'integer',
    min: 0,
    max: LIMITS.maxRetries,
    description: 'Failed starts in a row before the worker goes FATAL. Default 3.',
  },
  start_seconds: {
    type: 'seconds-or-duration',
    description: 'Up this long counts as started (a bare number is seconds). Default 1.',
  },
  fatal_retry: DURATION('A FATAL instance gets a fresh start sequence after this long. Off by default.'),
};

export const WORKER_RULES: Record<(typeof WORKER_KEYS)[number], KeyRule> = {
  function: {
    type: 'string',
    pattern: '^[^\\s\\u0000-\\u001f\\u007f]+$',
    description: 'Function name registered with the job servers (default: the worker name).',
  },
  module: {
    type: 'string',
    pattern: `\\.(${MODULE_EXTENSIONS.map((e) => e.slice(1)).join('|')})$`,
    description: 'A TS/JS module whose default export is `async (payload, job) => result`.',
  },
  command: { type: 'command', description: 'A program run once per job: payload on stdin, stdout is the result.' },
  process: { type: 'command', description: 'A long-running program that is itself a Gearman worker.' },
  shell: { type: 'boolean', description: 'Run command/process with /bin/sh -c (one string). Default false.' },
  per_core: {
    type: 'positive-number',
    max: LIMITS.maxPerCore,
    description: 'Instances = per_core x CPU cores, rounded up (not with instances).',
  },
  instances: { type: 'integer', min: 1, max: LIMITS.maxInstances, description: 'Number of processes. Default 1.' },
  concurrency: {
    type: 'integer',
    min: 1,
    max: LIMITS.maxConcurrency,
    description: 'Jobs in flight at once in each process. Default 1.',
  },
  timeout: DURATION('Per-job time limit (CAN_DO_TIMEOUT).'),
  env: { type: 'env', description: 'Extra environment variables (over env_file).' },
  env_file: { type: 'string-or-list', description: 'dotenv files (NAME=value lines), relative to this file.' },
  cwd: { type: 'string', description: 'Working directory of the worker (default: the config file directory).' },
  servers: { type: 'string-or-list', description: 'Job servers for this worker (host:port).' },
  max_jobs: {
    type: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    description: 'Recycle a process after this many jobs.',
  },
  max_memory: { type: 'size', description: 'Recycle a process above this RSS (sampled once a second).' },
  max_lifetime: DURATION('Recycle a process after it ran this long.'),
  stop_timeout: DURATION('Time to finish jobs in flight on stop before SIGKILL. Default 10s.', true),
  restart: { type: 'map', keys: RESTART_RULES, description: 'Restart policy when a process exits unexpectedly.' },
  exceptions: {
    type: 'enum',
    values: [true, false, 'auto'],
    description: 'true: WORK_EXCEPTION with the text; false: WORK_FAIL; auto: exceptions to gmsup only.',
  },
  keepalive: KEEPALIVE,
  autoscale: {
    type: 'map',
    keys: AUTOSCALE_RULES,
    required: ['max'],
    description: 'Instances follow the queue, min..max (docs/autoscale.md).',
  },
};

export const SERVER_RULES: Record<(typeof SERVER_KEYS)[number], KeyRule> = {
  listen: { type: 'string', description: 'HOST:PORT of the embedded job server. Default 127.0.0.1:4730.' },
  store: {
    type: 'string',
    description: 'Background jobs: sqlite:PATH (default <state dir>/jobs.db), postgres://..., memory.',
  },
  keepalive: KEEPALIVE,
  max_packet_size: {
    type: 'size',
    description: 'Largest packet the embedded server accepts (at most 4GiB - 1). Default 128MiB.',
  },
  http: { type: 'string', description: 'HOST:PORT of the HTTP listener (docs/http.md); off when absent.' },
  http_token: { type: 'string', description: 'Bearer token HTTP requests must carry (16 characters or more).' },
  http_timeout: DURATION('How long a foreground HTTP request waits for its job. Default 60s.'),
  http_max_body: { type: 'size', description: 'Largest HTTP request body. Default 16MiB.' },
};

export const LOG_RULES: Record<(typeof LOG_KEYS)[number], KeyRule> = {
  max_size: { type: 'size', description: 'Size at which a log file is rotated (0: never). Default 10MiB.' },
  keep: { type: 'integer', min: 0, max: 1000, description: 'Rotated files kept. Default 5.' },
  compress: { type: 'boolean', description: 'gzip rotated files (.1.gz, ...). Default false.' },
  format: {
    type: 'enum',
    values: LOG_FORMATS,
    description: 'Line format of the log files: text or json. Default text.',
  },
  buffer: {
    type: 'size',
    description: 'Write buffer per log file before lines are dropped (64KiB..1GiB). Default 4MiB.',
  },
};

export const TOP_LEVEL_RULES: Record<(typeof TOP_LEVEL_KEYS)[number], KeyRule> = {
  servers: { type: 'string-or-list', description: 'Job servers every worker registers with (host:port).' },
  server: { type: 'server', keys: SERVER_RULES, description: 'The embedded job server; false for none.' },
  workers: {
    type: 'workers',
    namePattern: WORKER_NAME_PATTERN,
    keys: WORKER_RULES,
    description: 'Worker name -> settings.',
  },
  logs: { type: 'map', keys: LOG_RULES, description: 'Per-worker log files.' },
  state_dir: {
    type: 'string',
    description: 'Socket, pid file, logs (default .gmsup/<name> here; GMSUP_STATE_DIR wins).',
  },
  env_file: { type: 'string-or-list', description: 'dotenv files for every worker, relative to this file.' },
  max_processes: {
    type: 'integer',
    min: 1,
    max: LIMITS.maxProcesses,
    description: 'Allow up to this many processes (instead of the limit derived from CPUs and memory).',
  },
};

/** A rule's integer range, for validators that read integers (one place for the numbers). */
export function rangeOf(rule: KeyRule): { min: number; max: number } {
  if (rule.type === 'integer') return { min: rule.min, max: rule.max };
  if (rule.type === 'positive-number') return { min: 0, max: rule.max };
  throw new Error(`not a numeric rule: ${rule.type}`);
}

/** A worker is exactly one of these kinds (the key that names it). */
export const WORKER_KINDS = ['module', 'command', 'process'] as const;
/** Keys that exclude each other in one worker. */
export const EXCLUSIVE_WORKER_KEYS: readonly (readonly [string, string])[] = [
  ['per_core', 'instances'],
  ['autoscale', 'instances'],
  ['autoscale', 'per_core'],
];
/** Keys refused on a `process` worker: gmsup does not see its jobs. */
export const NOT_FOR_PROCESS = ['concurrency', 'timeout', 'max_jobs', 'exceptions', 'keepalive'] as const;
/** Keys refused on a `module` worker. */
export const NOT_FOR_MODULE = ['shell'] as const;
