// `gmsup logs [NAME] [FILE] [-f] [-n LINES]`: recent daemon/worker log lines; -f keeps following.

import { namesAndFile, usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { connectDaemon } from '../../control/connect.js';
import type { LogLine } from '../../control/protocol.js';

function print(l: LogLine): void {
  process.stdout.write(`${new Date(l.atMs).toISOString()} ${l.source}${l.stream === 'stderr' ? ' !' : ''} ${l.text}\n`);
}

export async function run(args: ParsedArgs<'logs'>): Promise<number> {
  const { values } = args;
  const { names, file } = namesAndFile(args);
  if (names.length > 1) throw usageError('logs', `one worker name at most, got ${names.join(' ')}`);
  const name = names[0];
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
