// The one table of gmsup's commands: name, summary, arguments, options with their descriptions, exit
// statuses. It drives the argument parsing (node:util parseArgs), `gmsup help CMD` / `CMD --help`, and
// the bash/zsh completion scripts, so none of them can drift from another. Pure data, no imports of
// command modules (main.ts loads those lazily).

import type { ErrorCode } from '../shared/errors.js';

/**
 * What a shell completes for a value: files, workers files (*.yaml), directories, the worker names of the
 * workers file in use, signal names, gmsup's command names, or a fixed list of words.
 */
export type Completion = 'none' | 'file' | 'workers-file' | 'dir' | 'worker' | 'signal' | 'command' | readonly string[];

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in help (`FILE`, `N`, `MS`); string options only. */
  readonly value?: string;
  readonly description: string;
  readonly complete?: Completion;
}

export interface ArgSpec {
  /** As shown in the usage line: `NAME`, `FILE`. */
  readonly name: string;
  readonly optional?: boolean;
  /** May be given several times (`NAME...`). */
  readonly repeat?: boolean;
  readonly complete?: Completion;
}

export interface CommandSpec {
  readonly summary: string;
  /** Usage lines after `gmsup CMD ` when the argument list alone does not say it (alternatives). */
  readonly usage?: readonly string[];
  readonly args: readonly ArgSpec[];
  /** Lines printed under the usage by `gmsup help CMD`. */
  readonly description: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Reads a workers file: takes `-c/--config FILE` (and GMSUP_CONFIG, then ./workers.yaml). */
  readonly usesConfig: boolean;
  /** Exit statuses besides 0 that this command gives on purpose (all of them are in the README). */
  readonly exits: readonly ErrorCode[];
  /** Not listed in `gmsup help` nor completed (internal helpers). */
  readonly hidden?: boolean;
}

/** Every command that reads a workers file gets this option (see resolveConfigFile for the order). */
export const CONFIG_OPTION = {
  type: 'string',
  short: 'c',
  value: 'FILE',
  description: 'the workers file (default: $GMSUP_CONFIG, else ./workers.yaml)',
  complete: 'workers-file',
} as const satisfies OptionSpec;

export const HELP_OPTION = { type: 'boolean', short: 'h', description: 'show this help' } as const satisfies OptionSpec;

const FILE_ARG = { name: 'FILE', optional: true, complete: 'workers-file' } as const satisfies ArgSpec;
const DAEMON_EXITS = ['NO_DAEMON', 'STATE_DIR'] as const satisfies readonly ErrorCode[];

/**
 * An argument is a workers file when it contains a slash, ends in .yaml/.yml, or names an existing file;
 * anything else is a worker name. With -c/--config every argument is a worker name.
 */
const NAME_OR_FILE =
  'An argument is a workers file if it contains "/", ends in .yaml/.yml or names an existing file; ' +
  'otherwise it is a worker name. With -c FILE every argument is a worker name.';

export const COMMANDS = {
  start: {
    summary: 'start the daemon for a workers file, or start stopped workers of the running daemon',
    usage: ['[FILE] [--daemon | --tui]', 'NAME...|all'],
    args: [{ name: 'FILE|NAME', optional: true, repeat: true, complete: 'worker' }],
    description: [
      'Without NAME: starts the daemon and the workers of FILE and supervises them, in the foreground',
      '(logs to stdout), detached (--daemon: pid file and daemon.log in the state directory), or detached',
      'with the dashboard on top (--tui). Ctrl-C or SIGTERM drains the workers and stops; a second one forces.',
      'With NAME: starts again the workers stopped with `gmsup stop NAME` (the daemon keeps running).',
      NAME_OR_FILE,
    ],
    options: {
      daemon: { type: 'boolean', description: 'detach; return once the control socket answers' },
      tui: { type: 'boolean', description: 'start detached and show the dashboard (q asks and stops it, d detaches)' },
    },
    usesConfig: true,
    exits: [
      'CONFIG_INVALID',
      'STORE_UNAVAILABLE',
      'ALREADY_RUNNING',
      'ADDRESS_IN_USE',
      'CANNOT_LISTEN',
      'STATE_DIR',
      'STATE_UNSAFE',
      'BAD_NAME',
    ],
  },
  stop: {
    summary: 'stop the daemon (drain, then stop), or stop some workers and keep the daemon',
    usage: ['[FILE] [--no-wait]', 'NAME...|all'],
    args: [{ name: 'FILE|NAME', optional: true, repeat: true, complete: 'worker' }],
    description: [
      'Without NAME: the daemon drains every worker and exits; waits until it is gone (unless --no-wait).',
      'With NAME: drains and stops the instances of those workers (`all`: every worker); the daemon keeps',
      'running and `gmsup start NAME` starts them again. A reload keeps them stopped.',
      NAME_OR_FILE,
    ],
    options: { 'no-wait': { type: 'boolean', description: 'return once the daemon was told, without waiting' } },
    usesConfig: true,
    exits: [...DAEMON_EXITS, 'BAD_NAME', 'TIMEOUT'],
  },
  status: {
    summary: 'show instances and queues of the running daemon; non-zero when unhealthy',
    args: [FILE_ARG],
    description: [
      'Every instance (state, pid, uptime, restarts, CPU, RSS, jobs, registration, last exit) and every job',
      "server's queues, with alarms. The exit status says whether all is well, for health checks: 17 when an",
      'instance is FATAL, 20 when a job store is failing, 5 when a job server is unreachable, 3 when no daemon',
      'runs (the text is printed first).',
    ],
    options: { json: { type: 'boolean', description: 'print the Snapshot as JSON (the exit status is the same)' } },
    usesConfig: true,
    exits: [...DAEMON_EXITS, 'INSTANCE_FATAL', 'STORE_FAILING', 'SERVER_UNREACHABLE'],
  },
  reload: {
    summary: 're-read the workers file and apply the difference',
    args: [FILE_ARG],
    description: ['The running daemon re-reads its file and applies only the changes (docs/config.md, Reload).'],
    options: {},
    usesConfig: true,
    exits: [...DAEMON_EXITS, 'CONFIG_INVALID'],
  },
  restart: {
    summary: "restart a worker's instances, one at a time (NAME or all)",
    args: [{ name: 'NAME|all', complete: 'worker' }, FILE_ARG],
    description: ['Rolling restart: each replacement starts before the old instance drains.'],
    options: { index: { type: 'string', value: 'N', description: 'only the instance with this index' } },
    usesConfig: true,
    exits: [...DAEMON_EXITS, 'BAD_NAME'],
  },
  scale: {
    summary: "set a worker's instance count at runtime (or pin/resume an autoscaled one)",
    usage: ['NAME N|auto [FILE]', 'NAME=N [FILE]'],
    args: [{ name: 'NAME', complete: 'worker' }, { name: 'N|auto', complete: ['auto'] }, FILE_ARG],
    description: [
      'A runtime override shown in status; kept across reloads unless the file changes the count.',
      'On an autoscaled worker N pins the count (autoscaling pauses) and `auto` resumes autoscaling.',
    ],
    options: {},
    usesConfig: true,
    exits: [...DAEMON_EXITS, 'BAD_NAME'],
  },
  signal: {
    summary: "send a signal to a worker's processes (each instance's process group)",
    usage: ['NAME[/INDEX]|all SIGNAL [FILE]'],
    args: [{ name: 'NAME[/INDEX]', complete: 'worker' }, { name: 'SIGNAL', complete: 'signal' }, FILE_ARG],
    description: [
      'SIGNAL is a name (HUP, SIGUSR1, ...) or a number. It goes to the process group of every running',
      'instance (the worker and what it started), or of instance INDEX only. The supervisor treats an exit',
      'it causes like any other (a restart with backoff).',
    ],
    options: {},
    usesConfig: true,
    exits: [...DAEMON_EXITS, 'BAD_NAME', 'NOT_RUNNING'],
  },
  describe: {
    summary: 'the resolved config and live state of one worker',
    args: [{ name: 'NAME', optional: true, complete: 'worker' }, FILE_ARG],
    description: [
      'Everything gmsup resolved for NAME (kind, command or module, instances, concurrency, timeouts, restart',
      'policy, limits, env, servers, where it sits in the file) and, when a daemon runs, its state: instances,',
      'pids, states, restarts, last exits, registration, jobs, queues. Without a daemon: the config only.',
      'Without NAME: one line per worker.',
    ],
    options: {
      json: { type: 'boolean', description: 'print it as JSON' },
      names: { type: 'boolean', description: 'print only the worker names, one a line (used by shell completion)' },
    },
    usesConfig: true,
    exits: ['CONFIG_INVALID', 'BAD_NAME'],
  },
  logs: {
    summary: "print (or follow) the daemon's and workers' log files; works without a daemon",
    args: [{ name: 'NAME', optional: true, complete: 'worker' }, FILE_ARG],
    description: [
      "Reads the log files in the state directory (the daemon's and one per worker), merged by time.",
      'NAME keeps the lines of that worker (its output and the daemon lines about it).',
    ],
    options: {
      follow: { type: 'boolean', short: 'f', description: 'keep printing new lines (follows rotations)' },
      lines: { type: 'string', short: 'n', value: 'N', description: 'the last N lines (default 100; 0 = none)' },
      json: { type: 'boolean', description: 'one JSON object a line (time, source, worker, stream, text)' },
    },
    usesConfig: true,
    exits: ['STATE_DIR'],
  },
  check: {
    summary: 'validate a workers file; with a daemon running, show what a reload would do',
    args: [FILE_ARG],
    description: [
      'Every problem as `file:line:col key: message` (exit 2). Also warns (or refuses, past the hard limit)',
      'when the file asks for more processes than the machine can hold (docs/config.md, Process limit).',
    ],
    options: {
      running: {
        type: 'string',
        value: 'CONFIG',
        description: 'compare FILE with the daemon running for CONFIG (preview an edit in a copy)',
        complete: 'workers-file',
      },
      json: { type: 'boolean', description: 'print the result (problems, warnings, plan) as JSON' },
    },
    usesConfig: true,
    exits: ['CONFIG_INVALID'],
  },
  tui: {
    summary: 'open the terminal dashboard of the running daemon',
    args: [FILE_ARG],
    description: ['Needs a terminal. q quits (the daemon keeps running).'],
    options: {},
    usesConfig: true,
    exits: ['NO_DAEMON', 'NO_TTY'],
  },
  init: {
    summary: 'write a commented workers.yaml and an example module into the current folder',
    args: [],
    description: [
      'Writes workers.yaml (or -c FILE) and reverse.ts next to it; never overwrites a file without --force.',
      'Then: gmsup check, gmsup start.',
    ],
    options: { force: { type: 'boolean', description: 'overwrite existing files' } },
    usesConfig: true,
    exits: ['FILE_EXISTS'],
  },
  systemd: {
    summary: 'print a systemd unit that runs the daemon for a workers file',
    args: [FILE_ARG],
    description: [
      'Type=simple with absolute paths, reload by SIGHUP, stop that drains (TimeoutStopSec from the largest',
      'stop_timeout). Save it as /etc/systemd/system/gmsup-NAME.service (docs/deploy.md).',
    ],
    options: {
      user: { type: 'boolean', description: 'a unit for `systemctl --user` (WantedBy=default.target, no User=)' },
    },
    usesConfig: true,
    exits: ['CONFIG_INVALID'],
  },
  completion: {
    summary: 'print the shell completion script (bash or zsh)',
    args: [{ name: 'SHELL', complete: ['bash', 'zsh'] }],
    description: [
      'bash: `source <(gmsup completion bash)` (or save it in /etc/bash_completion.d/gmsup).',
      'zsh: `gmsup completion zsh > ~/.zsh/completions/_gmsup` (a folder in $fpath), then start a new shell.',
    ],
    options: {},
    usesConfig: false,
    exits: [],
  },
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
  help: {
    summary: "show the commands, or one command's usage and options",
    args: [{ name: 'COMMAND', optional: true, complete: 'command' }],
    description: ['`gmsup help CMD` is the same as `gmsup CMD --help`.'],
    options: {},
    usesConfig: false,
    exits: [],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** The spec of a command, widened to the interface (for code that walks every command). */
export function specOf(name: CommandName): CommandSpec {
  return COMMANDS[name];
}

type ValuesOf<O> = { -readonly [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };

/** What a command's `run` gets: its options typed from the table, plus -c and -h. */
export interface ParsedArgs<N extends CommandName = CommandName> {
  command: N;
  values: ValuesOf<(typeof COMMANDS)[N]['options']> & { config?: string; help?: boolean };
  positionals: string[];
}
