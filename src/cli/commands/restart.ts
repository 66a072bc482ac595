// `gmsup restart NAME|all [FILE] [--index N]`: rolling restart (replacement first) of a worker's instances.

import { parseCommandArgs } from '../args.js';
import { withDaemon } from '../../control/connect.js';
import { GmsupError } from '../../shared/errors.js';

const HELP =
  'Usage: gmsup restart NAME|all [FILE] [--index N]\n' +
  '  Restarts the instances one at a time; each replacement starts before the old one drains.';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { index: { type: 'string' } }, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [name, file] = positionals;
  if (!name) throw new GmsupError('USAGE', `missing NAME\n${HELP}`);
  const index = values.index === undefined ? undefined : Number(values.index);
  if (index !== undefined && !Number.isInteger(index))
    throw new GmsupError('USAGE', `--index must be an integer\n${HELP}`);
  const r = await withDaemon(file, (c) => c.call('restart', { name, index }, 300_000));
  process.stdout.write(`gmsup: restarted ${r.restarted} instance(s) of ${name}\n`);
  return 0;
}
