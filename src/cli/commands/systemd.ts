// placeholder
import type { ParsedArgs } from '../command-table.js';
export async function run(_args: ParsedArgs<'systemd'>): Promise<number> {
  return 70;
}
