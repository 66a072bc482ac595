// The shape of an entry of the command table (command-table.ts): arguments, options, exit statuses, and
// how a shell completes them. Types and the two options every command shares; pure data.

import type { ErrorCode } from '../shared/errors.js';

/**
 * What a shell completes for a value: files, workers files (*.yaml), directories, the worker names of the
 * workers file in use, signal names, gmsup's command names, or a fixed list of words.
 */
export type Completion = 'none' | 'file' | 'workers-file' | 'dir' | 'worker' | 'signal' | 'command' | readonly string[];

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in help (`FILE`, `N`, `MS`); string options only. */
  readonly value?: string;
  readonly description: string;
  readonly complete?: Completion;
}

export interface ArgSpec {
  /** As shown in the usage line: `NAME`, `FILE`. */
  readonly name: string;
  readonly optional?: boolean;
  /** May be given several times (`NAME...`). */
  readonly repeat?: boolean;
  readonly complete?: Completion;
}

export interface CommandSpec {
  readonly summary: string;
  /** Usage lines after `gmsup CMD ` when the argument list alone does not say it (alternatives). */
  readonly usage?: readonly string[];
  readonly args: readonly ArgSpec[];
  /** Lines printed under the usage by `gmsup help CMD`. */
  readonly description: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Reads a workers file: takes `-c/--config FILE` (and GMSUP_CONFIG, then ./workers.yaml). */
  readonly usesConfig: boolean;
  /** Exit statuses besides 0 that this command gives on purpose (all of them are in the README). */
  readonly exits: readonly ErrorCode[];
  /** Not listed in `gmsup help` nor completed (internal helpers). */
  readonly hidden?: boolean;
}

/** Every command that reads a workers file gets this option (see resolveConfigFile for the order). */
export const CONFIG_OPTION = {
  type: 'string',
  short: 'c',
  value: 'FILE',
  description: 'the workers file (default: $GMSUP_CONFIG, else ./workers.yaml)',
  complete: 'workers-file',
} as const satisfies OptionSpec;

export const HELP_OPTION = { type: 'boolean', short: 'h', description: 'show this help' } as const satisfies OptionSpec;
