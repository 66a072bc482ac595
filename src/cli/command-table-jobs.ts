// The commands of the command table that talk to job servers directly, without a daemon: the job
// server alone, submitting a job, admin commands, a worker in the foreground. Pure data.

import type { CommandSpec } from './command-spec.js';

export const JOB_SERVER_COMMANDS = {
  server: {
    summary: 'run only the embedded job server in the foreground',
    args: [],
    description: ['Runs the Gearman job server until SIGINT or SIGTERM (or the `shutdown` admin command).'],
    options: {
      listen: {
        type: 'string',
        value: 'HOST:PORT',
        description: 'address to listen on (default 127.0.0.1:4730; port 0 = any free port)',
      },
      store: {
        type: 'string',
        value: 'URL',
        description: 'where background jobs are kept: memory (default), sqlite:PATH or postgres://... (docs/store.md)',
      },
      'job-handle-prefix': { type: 'string', value: 'P', description: 'job handles become P:<n> (default H:<host>)' },
      'max-packet-size': { type: 'string', value: 'BYTES', description: 'largest packet accepted (default 128 MiB)' },
      verbose: { type: 'boolean', description: 'log connection errors to stderr; `verbose` reports INFO' },
      keepalive: {
        type: 'string',
        value: 'SPEC',
        description:
          'TCP keepalive on every connection: idle=10s,interval=2s,count=3 (the default; user_timeout follows) or off',
      },
      http: {
        type: 'string',
        value: 'HOST:PORT',
        description: 'also serve HTTP (docs/http.md): job submission, /v1/jobs, /metrics, /status, /healthz',
      },
      'http-token': {
        type: 'string',
        value: 'TOKEN',
        description: 'bearer token every HTTP request must carry (or GMSUP_HTTP_TOKEN); needed off loopback',
      },
      'http-timeout': {
        type: 'string',
        value: 'DURATION',
        description: 'how long a foreground HTTP request waits for its job (default 60s)',
      },
      'http-max-body': { type: 'string', value: 'SIZE', description: 'largest HTTP request body (default 16MiB)' },
    },
    usesConfig: false,
    exits: ['CONFIG_INVALID', 'STORE_UNAVAILABLE', 'ADDRESS_IN_USE', 'CANNOT_LISTEN'],
  },
  submit: {
    summary: 'submit a job and print its result',
    args: [{ name: 'FUNCTION' }, { name: 'DATA', optional: true, complete: 'none' }],
    description: [
      'DATA is read from stdin when absent. Data chunks stream to stdout, then the result bytes as they are',
      '(a newline is added at a terminal). Servers: --servers, else the `servers` of -c FILE or $GMSUP_CONFIG,',
      'else 127.0.0.1:4730.',
    ],
    options: {
      servers: {
        type: 'string',
        short: 's',
        value: 'H:P[,H:P]',
        description: 'job servers (default 127.0.0.1:4730)',
      },
      background: { type: 'boolean', short: 'b', description: 'queue the job and print its handle' },
      high: { type: 'boolean', short: 'I', description: 'high priority' },
      low: { type: 'boolean', short: 'L', description: 'low priority' },
      unique: { type: 'string', short: 'u', value: 'ID', description: 'unique id (identical running jobs coalesce)' },
      timeout: { type: 'string', short: 't', value: 'MS', description: 'give up after MS milliseconds (exit 11)' },
      verbose: { type: 'boolean', short: 'v', description: 'print status and progress to stderr' },
      selection: {
        type: 'string',
        value: 'S',
        description: 'balanced (default: a --unique job goes where it hashes, others round-robin) or ordered',
        complete: ['balanced', 'ordered'],
      },
      keepalive: { type: 'string', value: 'SPEC', description: 'TCP keepalive: idle=10s,interval=2s,count=3 or off' },
    },
    usesConfig: true,
    exits: ['JOB_FAILED', 'SERVER_UNREACHABLE', 'TIMEOUT'],
  },
  admin: {
    summary: 'send a text admin command (status, workers, version, ...) to job servers',
    usage: ['COMMAND [ARGS...] [--servers H:P[,H:P]] [--json]'],
    args: [
      {
        name: 'COMMAND',
        complete: ['status', 'workers', 'prioritystatus', 'version', 'getpid', 'verbose', 'show', 'cancel', 'maxqueue'],
      },
      { name: 'ARGS', optional: true, repeat: true, complete: 'none' },
    ],
    description: [
      'Commands: status, workers, prioritystatus, version, getpid, verbose, show jobs, show unique jobs,',
      'cancel job HANDLE, create function F, drop function F, maxqueue F [N], ... (passed through).',
      'Servers: --servers, else the `servers` of -c FILE or $GMSUP_CONFIG, else 127.0.0.1:4730.',
    ],
    options: {
      servers: {
        type: 'string',
        short: 's',
        value: 'H:P[,H:P]',
        description: 'job servers to ask, all of them, in order (default 127.0.0.1:4730)',
      },
      timeout: { type: 'string', short: 't', value: 'MS', description: 'reply deadline per server (default 10000)' },
      json: {
        type: 'boolean',
        description: 'one JSON array: per server its reply lines, parsed for status/workers/prioritystatus',
      },
    },
    usesConfig: true,
    exits: ['SERVER_UNREACHABLE', 'SERVER_ERROR'],
  },
  work: {
    summary: 'run one worker in the foreground (like gearman -w)',
    usage: ['FUNCTION (--module FILE | --command "CMD ARGS" | --process "CMD {servers}" | -- CMD ARGS...)'],
    args: [{ name: 'FUNCTION' }, { name: 'CMD', optional: true, repeat: true, complete: 'none' }],
    description: [
      'The counterpart of `gearman -w`: first SIGINT/SIGTERM drains, a second one abandons the jobs in flight.',
      "The exit status is the worker's: 0 after a stop, the command's own status when a process worker fails.",
      'Failures are reported as exceptions on gmsup job servers and as plain WORK_FAIL on others by default,',
      'since gearmand 1.1.20 mangles exceptions for clients that did not ask for them.',
    ],
    options: {
      module: { type: 'string', short: 'm', value: 'FILE', description: 'a module worker', complete: 'file' },
      command: { type: 'string', value: 'CMD', description: 'a command run once per job (payload on stdin)' },
      process: { type: 'string', value: 'CMD', description: 'a long-running program that is a Gearman worker' },
      shell: { type: 'boolean', description: 'run the command through /bin/sh -c' },
      servers: { type: 'string', short: 's', value: 'H:P,...', description: 'job servers (default 127.0.0.1:4730)' },
      concurrency: { type: 'string', short: 'c', value: 'N', description: 'jobs in flight at once (default 1)' },
      timeout: { type: 'string', short: 't', value: 'MS', description: 'per-job time limit' },
      'max-jobs': { type: 'string', value: 'N', description: 'exit after N jobs' },
      'stop-timeout': {
        type: 'string',
        value: 'MS',
        description: 'time to finish in-flight jobs on stop (default 10000)',
      },
      'client-id': { type: 'string', value: 'ID', description: 'SET_CLIENT_ID value' },
      keepalive: {
        type: 'string',
        value: 'SPEC',
        description: 'TCP keepalive to the job servers: idle=10s,interval=2s,count=3 (the default) or off',
      },
      exceptions: { type: 'boolean', description: 'always report failures as WORK_EXCEPTION with the error text' },
      'no-exceptions': { type: 'boolean', description: 'always report failures as plain WORK_FAIL' },
    },
    usesConfig: false,
    exits: ['SERVER_UNREACHABLE'],
  },
} as const satisfies Record<string, CommandSpec>;
