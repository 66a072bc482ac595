// `gmsup reload [FILE]`: the daemon re-reads its file and applies only the difference.

import { parseCommandArgs } from '../args.js';
import { withDaemon } from '../../control/connect.js';
import type { ReloadPlanEntry } from '../../control/protocol.js';

const HELP =
  'Usage: gmsup reload [FILE]\n  Re-reads FILE (default ./workers.yaml) in the running daemon and applies the changes.';

export function formatPlan(plan: ReloadPlanEntry[]): string {
  if (plan.length === 0) return 'no workers\n';
  const w = Math.max(...plan.map((e) => e.worker.length));
  return `${plan.map((e) => `${e.worker.padEnd(w)}  ${e.action.padEnd(9)}  ${e.detail}`).join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { plan } = await withDaemon(positionals[0], (c) => c.call('reload', {}, 30_000));
  process.stdout.write(formatPlan(plan));
  return 0;
}
