// The gmsup command line: picks the subcommand and loads only its module (start-up time matters for
// `gmsup submit` in scripts). Maps every error to its stable exit code.

import { GmsupError, exitCodeOf } from '../shared/errors.js';
import { VERSION } from '../shared/version.js';

export type CommandRun = (argv: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<{ run: CommandRun }>;
}

const COMMANDS: Record<string, CommandEntry> = {
  start: {
    summary: 'start the daemon for a workers file (default ./workers.yaml)',
    load: () => import('./commands/start.js'),
  },
  stop: { summary: 'stop the running daemon', load: () => import('./commands/stop.js') },
  status: { summary: 'show instances and queues of the running daemon', load: () => import('./commands/status.js') },
  reload: { summary: 're-read the workers file and apply the difference', load: () => import('./commands/reload.js') },
  restart: { summary: "restart a worker's instances (NAME or all)", load: () => import('./commands/restart.js') },
  scale: { summary: "set a worker's instance count at runtime (NAME N)", load: () => import('./commands/scale.js') },
  logs: { summary: 'show (or follow with -f) the daemon and worker logs', load: () => import('./commands/logs.js') },
  check: { summary: 'validate a workers file; show what a reload would do', load: () => import('./commands/check.js') },
  tui: { summary: 'open the terminal dashboard of the running daemon', load: () => import('./commands/tui.js') },
  server: { summary: 'run the embedded job server in the foreground', load: () => import('./commands/server.js') },
  submit: { summary: 'submit a job and print its result', load: () => import('./commands/submit.js') },
  admin: { summary: 'ask job servers: status, workers, version', load: () => import('./commands/admin.js') },
  work: { summary: 'run one worker in the foreground (like gearman -w)', load: () => import('./commands/work.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `gmsup ${VERSION}: run Gearman workers`,
    '',
    'Usage: gmsup <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run `gmsup <command> --help` for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 64 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`gmsup: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 64;
  }
  try {
    const mod = await entry.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof GmsupError) process.stderr.write(`gmsup ${name}: ${err.message}\n`);
    else process.stderr.write(`gmsup ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return exitCodeOf(err);
  }
}
