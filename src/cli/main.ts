// The gmsup command line: picks the subcommand, parses its arguments from the command table, and loads
// only its module (start-up time matters for `gmsup submit` in scripts). Maps every error to its stable
// exit status with a one-line message (a stack trace only for a bug, exit 70).

import { GmsupError, exitCodeOf } from '../shared/errors.js';
import { VERSION } from '../shared/version.js';
import { parseCommandArgs } from './args.js';
import { isCommandName, type CommandName, type ParsedArgs } from './command-table.js';
import { commandHelp, overview } from './help.js';

// biome-ignore lint/suspicious/noExplicitAny: each module's run takes its own command's ParsedArgs
export type CommandRun = (args: ParsedArgs<any>) => Promise<number>;

const LOADERS: Record<Exclude<CommandName, 'help'>, () => Promise<{ run: CommandRun }>> = {
  start: () => import('./commands/start.js'),
  stop: () => import('./commands/stop.js'),
  status: () => import('./commands/status.js'),
  reload: () => import('./commands/reload.js'),
  restart: () => import('./commands/restart.js'),
  scale: () => import('./commands/scale.js'),
  signal: () => import('./commands/signal.js'),
  describe: () => import('./commands/describe.js'),
  logs: () => import('./commands/logs.js'),
  check: () => import('./commands/check.js'),
  tui: () => import('./commands/tui.js'),
  init: () => import('./commands/init.js'),
  systemd: () => import('./commands/systemd.js'),
  completion: () => import('./commands/completion.js'),
  server: () => import('./commands/server.js'),
  submit: () => import('./commands/submit.js'),
  admin: () => import('./commands/admin.js'),
  work: () => import('./commands/work.js'),
};

/** `gmsup help [CMD]`. */
function help(topic: string | undefined): number {
  if (topic === undefined) {
    process.stdout.write(overview());
    return 0;
  }
  if (!isCommandName(topic)) {
    process.stderr.write(`gmsup help: unknown command ${JSON.stringify(topic)}\n\n${overview()}`);
    return 64;
  }
  process.stdout.write(commandHelp(topic));
  return 0;
}

/** A reader that went away (`gmsup logs | head`) ends the output quietly instead of with a stack trace. */
function quietOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnBrokenPipe();
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(overview());
    return 64;
  }
  if (name === '--help' || name === '-h') return help(undefined);
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!isCommandName(name)) {
    process.stderr.write(`gmsup: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 64;
  }
  try {
    const args = parseCommandArgs(name, rest);
    if (name === 'help') return help(args.positionals[0]);
    if (args.values.help) {
      process.stdout.write(commandHelp(name));
      return 0;
    }
    const mod = await LOADERS[name]();
    return await mod.run(args);
  } catch (err) {
    if (err instanceof GmsupError) process.stderr.write(`gmsup ${name}: ${err.message}\n`);
    else process.stderr.write(`gmsup ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return exitCodeOf(err);
  }
}
