// `gmsup scale NAME N|auto [FILE]`: a runtime instance count (kept across reloads unless the file's count
// changes); on an autoscaled worker N pins the count and `auto` resumes autoscaling.

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
  // On an autoscaled worker N pins the count (autoscaling pauses) and `auto` resumes it.
  const n = count === 'auto' ? 'auto' : Number(count);
  if (!name || count === undefined || (n !== 'auto' && !/^\d+$/.test(count)))
    throw usageError('scale', `NAME and a count >= 0 (or auto) are required, got ${JSON.stringify(words.join(' '))}`);
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
