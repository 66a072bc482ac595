// `gmsup logs [NAME] [FILE] [-f] [-n LINES]`: recent daemon/worker log lines; -f keeps following.

import { existsSync } from 'node:fs';
import { parseCommandArgs } from '../args.js';
import { connectDaemon } from '../../control/connect.js';
import type { LogLine } from '../../control/protocol.js';

const HELP =
  'Usage: gmsup logs [NAME] [FILE] [-f] [-n LINES]\n' +
  '  Prints the last lines (all workers, or NAME); -f follows until interrupted.';

function print(l: LogLine): void {
  process.stdout.write(`${new Date(l.atMs).toISOString()} ${l.source}${l.stream === 'stderr' ? ' !' : ''} ${l.text}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { follow: { type: 'boolean', short: 'f' }, lines: { type: 'string', short: 'n' } },
    HELP,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // One positional: a worker name, unless it names an existing file (then it is the config).
  let [name, file] = positionals;
  if (file === undefined && name !== undefined && /\.ya?ml$/.test(name) && existsSync(name))
    [name, file] = [undefined as unknown as string, name];
  const lines = values.lines === undefined ? 100 : Math.max(1, Number(values.lines) || 100);
  const { client } = await connectDaemon(file);
  if (!values.follow) {
    try {
      const r = await client.call('logs', { name, lines });
      r.lines.forEach(print);
    } finally {
      client.close();
    }
    return 0;
  }
  const closed = new Promise<void>((resolve) => client.onClosed(() => resolve()));
  const initial = await client.followLogs({ name, lines }, print);
  initial.forEach(print);
  const stop = () => client.close();
  process.once('SIGINT', stop);
  await closed;
  process.off('SIGINT', stop);
  return 0;
}
