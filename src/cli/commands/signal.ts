// `gmsup signal NAME[/INDEX]|all SIGNAL [FILE]`: the daemon sends SIGNAL to the process group of each
// running instance (or of instance INDEX), like Supervisor's `signal`.

import { splitTrailingFile, usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { withDaemon } from '../../control/connect.js';
import { parseSignal } from '../../shared/signals.js';

export async function run(args: ParsedArgs<'signal'>): Promise<number> {
  const { words, file } = splitTrailingFile(args, 2);
  const [target = '', sigText = ''] = words;
  const m = /^(.+?)(?:\/(\d+))?$/.exec(target);
  const signal = parseSignal(sigText);
  if (!m?.[1]) throw usageError('signal', `bad target ${JSON.stringify(target)}: NAME or NAME/INDEX`);
  if (signal === null) throw usageError('signal', `unknown signal ${JSON.stringify(sigText)} (HUP, SIGUSR1, 15, ...)`);
  const name = m[1];
  const index = m[2] === undefined ? undefined : Number(m[2]);
  const r = await withDaemon(file, (c) =>
    c.call('signal', { name, signal, ...(index === undefined ? {} : { index }) }),
  );
  for (const s of r.signalled) process.stdout.write(`gmsup: ${signal} sent to ${s.name}/${s.index} (pid ${s.pid})\n`);
  return 0;
}
