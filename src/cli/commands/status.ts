// `gmsup status [FILE] [--json]`: the running daemon's instances, queues per job server, and alarms.
// The exit status is the health: 17 when an instance is FATAL, 20 when a job store is failing, 5 when a
// job server is unreachable.

import { configFileOf } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { formatStatus, statusHealth } from '../status-text.js';
import { withDaemon } from '../../control/connect.js';
import { ErrorCodes } from '../../shared/errors.js';

export async function run(args: ParsedArgs<'status'>): Promise<number> {
  const file = configFileOf(args, args.positionals[0]);
  const snap = await withDaemon(file, (c) => c.call('status', {}));
  process.stdout.write(args.values.json ? `${JSON.stringify(snap, null, 2)}\n` : formatStatus(snap));
  const health = statusHealth(snap);
  if (!health) return 0;
  process.stderr.write(`gmsup status: ${health.message}\n`);
  return ErrorCodes[health.code].exit;
}
