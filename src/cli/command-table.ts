// The one table of gmsup's commands: name, summary, arguments, options with their descriptions, exit
// statuses. It drives the argument parsing (node:util parseArgs), `gmsup help CMD` / `CMD --help`, and
// the bash/zsh completion scripts, so none of them can drift from another. Pure data, no imports of
// command modules (main.ts loads those lazily).

import type { ErrorCode } from '../shared/errors.js';
import type { ArgSpec, CommandSpec } from './command-spec.js';
import { JOB_SERVER_COMMANDS } from './command-table-jobs.js';

export {
  CONFIG_OPTION,
  HELP_OPTION,
  type ArgSpec,
  type CommandSpec,
  type Completion,
  type OptionSpec,
} from './command-spec.js';

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
  ...JOB_SERVER_COMMANDS,
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
