// `gmsup check [FILE]`: validates a workers file; when its daemon runs, prints what a reload would do.

import { parseCommandArgs } from '../args.js';
import { loadConfig } from '../../config/load.js';
import { connectDaemon } from '../../control/connect.js';
import { resolveConfigFile } from '../../shared/state-dir.js';
import { GmsupError } from '../../shared/errors.js';
import { formatPlan } from './reload.js';

const HELP = `Usage: gmsup check [FILE] [--running CONFIG]
  Validates FILE (default ./workers.yaml); if a daemon runs for it, shows what \`gmsup reload\` would do.
  --running CONFIG  compare FILE with the daemon running for CONFIG instead (preview an edit in a copy)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { running: { type: 'string' } }, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const file = resolveConfigFile(positionals[0]);
  const config = await loadConfig(file); // throws CONFIG_INVALID (exit 2) listing every problem
  const total = config.programs.reduce((n, p) => n + p.instances, 0);
  process.stdout.write(`${file}: OK (${config.programs.length} worker(s), ${total} instance(s))\n`);
  let daemon: Awaited<ReturnType<typeof connectDaemon>>;
  try {
    daemon = await connectDaemon(values.running ?? file);
  } catch (err) {
    if (err instanceof GmsupError && err.code === 'NO_DAEMON') {
      process.stdout.write('no daemon runs for this file; `gmsup start` would start every worker\n');
      return 0;
    }
    throw err;
  }
  try {
    const { plan } = await daemon.client.call('plan', values.running ? { file } : {});
    process.stdout.write(`a reload of the running daemon would do:\n${formatPlan(plan)}`);
  } finally {
    daemon.client.close();
  }
  return 0;
}
