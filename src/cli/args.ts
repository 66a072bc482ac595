// Shared argument parsing for subcommands: node:util parseArgs with gmsup's usage errors.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GmsupError } from '../shared/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(argv: string[], options: O, help: string) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return parsed;
  } catch (err) {
    throw new GmsupError('USAGE', `${err instanceof Error ? err.message : String(err)}\n${help}`);
  }
}
