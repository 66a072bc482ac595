// `gmsup tui [FILE]`: the terminal dashboard of the daemon running for FILE (default ./workers.yaml).

import { parseCommandArgs } from '../args.js';
import { runDashboard } from '../../tui/index.js';

const HELP =
  'Usage: gmsup tui [FILE]\n' +
  '  Opens the dashboard of the daemon running for FILE (default ./workers.yaml). Needs a terminal.';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  return runDashboard({ configFile: positionals[0] ?? 'workers.yaml' });
}
