// `gmsup scale NAME N [FILE]`: a runtime instance count (kept across reloads unless the file's count changes).

import { parseCommandArgs } from '../args.js';
import { withDaemon } from '../../control/connect.js';
import { GmsupError } from '../../shared/errors.js';

const HELP =
  'Usage: gmsup scale NAME N [FILE]\n  Sets the instance count of NAME at runtime; other instances keep running.';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let [name, count, file] = positionals;
  // Also accept NAME=N (Supervisor-like spelling): then the next word is the file.
  if (name?.includes('='))
    [name, count, file] = [name.slice(0, name.indexOf('=')), name.slice(name.indexOf('=') + 1), positionals[1]];
  const n = Number(count);
  if (!name || count === undefined || !Number.isInteger(n) || n < 0)
    throw new GmsupError('USAGE', `NAME and a count >= 0 are required\n${HELP}`);
  const r = await withDaemon(file, (c) => c.call('scale', { name, instances: n }));
  process.stdout.write(`gmsup: ${name} ${r.from} -> ${r.to} instances\n`);
  return 0;
}
