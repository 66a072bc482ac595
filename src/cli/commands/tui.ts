// `gmsup tui [FILE]`: the terminal dashboard of the daemon running for FILE (default ./workers.yaml).

import { configFileOf } from '../args.js';
import type { ParsedArgs } from '../command-table.js';

export async function run(args: ParsedArgs<'tui'>): Promise<number> {
  const configFile = configFileOf(args, args.positionals[0]);
  const { runDashboard } = await import('../../tui/index.js');
  return runDashboard({ configFile });
}
