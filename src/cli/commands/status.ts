// `gmsup status [FILE] [--json]`: the running daemon's instances, queues per job server, and alarms.

import { parseCommandArgs } from '../args.js';
import { withDaemon } from '../../control/connect.js';
import { formatStatus } from '../status-text.js';

const HELP =
  'Usage: gmsup status [FILE] [--json]\n' +
  '  Shows every instance and every job server queue of the daemon running for FILE (default ./workers.yaml).';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const snap = await withDaemon(positionals[0], (c) => c.call('status', {}));
  process.stdout.write(values.json ? `${JSON.stringify(snap, null, 2)}\n` : formatStatus(snap));
  return 0;
}
