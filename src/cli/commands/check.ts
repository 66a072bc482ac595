// `gmsup check [FILE] [--running CONFIG] [--json]`: validates a workers file; when its daemon runs,
// prints what a reload would do. --json prints the same as one object (problems included, exit 2).

import { configFileOf } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { formatPlan } from './reload.js';
import { ConfigError, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/types.js';
import { connectDaemon } from '../../control/connect.js';
import type { ReloadPlanEntry } from '../../control/protocol.js';
import { GmsupError } from '../../shared/errors.js';
import { resolveConfigFile } from '../../shared/state-dir.js';

/** What a reload of the daemon running for `daemonFile` would do with `file`; null when none runs. */
async function planOf(file: string, daemonFile: string, candidate: boolean): Promise<ReloadPlanEntry[] | null> {
  let daemon: Awaited<ReturnType<typeof connectDaemon>>;
  try {
    daemon = await connectDaemon(daemonFile);
  } catch (err) {
    if (err instanceof GmsupError && err.code === 'NO_DAEMON') return null;
    throw err;
  }
  try {
    return (await daemon.client.call('plan', candidate ? { file } : {})).plan;
  } finally {
    daemon.client.close();
  }
}

export async function run(args: ParsedArgs<'check'>): Promise<number> {
  const file = configFileOf(args, args.positionals[0]);
  const json = args.values.json === true;
  let config: Config;
  try {
    config = await loadConfig(file); // CONFIG_INVALID (exit 2) listing every problem
  } catch (err) {
    if (!(json && err instanceof ConfigError)) throw err;
    process.stdout.write(`${JSON.stringify({ file, ok: false, problems: err.issues }, null, 2)}\n`);
    return err.exitCode;
  }
  const total = config.programs.reduce((n, p) => n + p.instances, 0);
  const running = args.values.running;
  const plan = await planOf(file, running === undefined ? file : resolveConfigFile(running), running !== undefined);
  if (json) {
    const warnings = config.warnings ?? [];
    const out = { file, ok: true, workers: config.programs.length, instances: total, problems: [], warnings, plan };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${file}: OK (${config.programs.length} worker(s), ${total} instance(s))\n`);
  for (const w of config.warnings ?? []) process.stdout.write(`warning: ${w}\n`);
  if (plan === null) process.stdout.write('no daemon runs for this file; `gmsup start` would start every worker\n');
  else process.stdout.write(`a reload of the running daemon would do:\n${formatPlan(plan)}`);
  return 0;
}
