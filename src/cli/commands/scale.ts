// `gmsup scale NAME N [FILE]`: a runtime instance count (kept across reloads unless the file's count changes).

import { splitTrailingFile, usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { withDaemon } from '../../control/connect.js';

export async function run(args: ParsedArgs<'scale'>): Promise<number> {
  const first = args.positionals[0] ?? '';
  // Also NAME=N (Supervisor-like spelling): then the next word is the file.
  const eq = first.indexOf('=');
  const expanded =
    eq > 0 ? { ...args, positionals: [first.slice(0, eq), first.slice(eq + 1), ...args.positionals.slice(1)] } : args;
  const { words, file } = splitTrailingFile(expanded, 2);
  const [name, count] = words;
  const n = Number(count);
  if (!name || count === undefined || !/^\d+$/.test(count))
    throw usageError('scale', `NAME and a count >= 0 are required, got ${JSON.stringify(words.join(' '))}`);
  const r = await withDaemon(file, (c) => c.call('scale', { name, instances: n }));
  process.stdout.write(`gmsup: ${name} ${r.from} -> ${r.to} instances\n`);
  return 0;
}
