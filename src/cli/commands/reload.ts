// `gmsup reload [FILE]`: the daemon re-reads its file and applies only the difference.

import { configFileOf } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { withDaemon } from '../../control/connect.js';
import type { ReloadPlanEntry } from '../../control/protocol.js';

export function formatPlan(plan: ReloadPlanEntry[]): string {
  if (plan.length === 0) return 'no workers\n';
  const w = Math.max(...plan.map((e) => e.worker.length));
  return `${plan.map((e) => `${e.worker.padEnd(w)}  ${e.action.padEnd(9)}  ${e.detail}`).join('\n')}\n`;
}

export async function run(args: ParsedArgs<'reload'>): Promise<number> {
  const file = configFileOf(args, args.positionals[0]);
  const { plan } = await withDaemon(file, (c) => c.call('reload', {}, 30_000));
  process.stdout.write(formatPlan(plan));
  return 0;
}
