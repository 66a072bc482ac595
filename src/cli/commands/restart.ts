// `gmsup restart NAME|all [FILE] [--index N]`: rolling restart (replacement first) of a worker's instances.

import { splitTrailingFile, usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { withDaemon } from '../../control/connect.js';

export async function run(args: ParsedArgs<'restart'>): Promise<number> {
  const { words, file } = splitTrailingFile(args, 1);
  const name = words[0] ?? '';
  const index = args.values.index === undefined ? undefined : Number(args.values.index);
  if (index !== undefined && !(Number.isInteger(index) && index >= 0))
    throw usageError('restart', `--index must be an integer >= 0, got ${JSON.stringify(args.values.index)}`);
  const r = await withDaemon(file, (c) => c.call('restart', { name, index }, 300_000));
  process.stdout.write(`gmsup: restarted ${r.restarted} instance(s) of ${name}\n`);
  return 0;
}
