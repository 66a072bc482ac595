// `gmsup completion bash|zsh`: prints the completion script, generated from the command table.

import { usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { bashCompletion, zshCompletion } from '../completion.js';

export async function run(args: ParsedArgs<'completion'>): Promise<number> {
  const shell = args.positionals[0];
  if (shell === 'bash') process.stdout.write(bashCompletion());
  else if (shell === 'zsh') process.stdout.write(zshCompletion());
  else throw usageError('completion', `SHELL must be bash or zsh, got ${JSON.stringify(shell)}`);
  return 0;
}
