// `gmsup scale NAME N|auto [FILE]`: a runtime instance count (kept across reloads unless the file's count
// changes); on an autoscaled worker N pins the count and `auto` resumes autoscaling.

import { parseCommandArgs } from '../args.js';
import { withDaemon } from '../../control/connect.js';
import { GmsupError } from '../../shared/errors.js';

const HELP =
  'Usage: gmsup scale NAME N|auto [FILE]\n' +
  '  Sets the instance count of NAME at runtime; other instances keep running.\n' +
  '  On an autoscaled worker N pins the count (autoscaling pauses) and `auto` resumes autoscaling.';

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
  const n = count === 'auto' ? 'auto' : Number(count);
  if (!name || count === undefined || (n !== 'auto' && (!Number.isInteger(n) || n < 0)))
    throw new GmsupError('USAGE', `NAME and a count >= 0 (or auto) are required\n${HELP}`);
  const r = await withDaemon(file, (c) => c.call('scale', { name, instances: n }));
  const note =
    r.autoscale === 'pinned'
      ? ` (pinned: autoscaling paused until \`gmsup scale ${name} auto\`)`
      : r.autoscale === 'resumed'
        ? ' (autoscaling resumed)'
        : '';
  process.stdout.write(`gmsup: ${name} ${r.from} -> ${r.to} instances${note}\n`);
  return 0;
}
