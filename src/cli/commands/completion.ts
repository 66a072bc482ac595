// placeholder
import type { ParsedArgs } from '../command-table.js';
export async function run(_args: ParsedArgs<'completion'>): Promise<number> {
  return 70;
}
