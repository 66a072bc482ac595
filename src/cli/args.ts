// Parses a command's arguments with node:util parseArgs, from the command table (the same options the
// help and the completion scripts show), and resolves which workers file a command acts on.

import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GmsupError } from '../shared/errors.js';
import { resolveConfigFile } from '../shared/state-dir.js';
import { COMMANDS, CONFIG_OPTION, HELP_OPTION, type CommandName, type ParsedArgs } from './command-table.js';
import { usageLines } from './help.js';

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** The parseArgs options of a command: its own, -h/--help, and -c/--config when it reads a workers file. */
export function parseOptionsOf(name: CommandName): ParseOptions {
  const spec = COMMANDS[name];
  const out: ParseOptions = {};
  const all = { ...spec.options, help: HELP_OPTION, ...(spec.usesConfig ? { config: CONFIG_OPTION } : {}) };
  for (const [key, o] of Object.entries(all))
    out[key] = 'short' in o ? { type: o.type, short: o.short } : { type: o.type };
  return out;
}

/** A USAGE error that ends with the command's usage lines and where to read more. */
export function usageError(name: CommandName, message: string): GmsupError {
  const usage = usageLines(name).join('\n');
  return new GmsupError('USAGE', `${message}\n${usage}\nRun \`gmsup help ${name}\` for the options.`);
}

export function parseCommandArgs<N extends CommandName>(name: N, argv: string[]): ParsedArgs<N> {
  const spec = COMMANDS[name];
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: parseOptionsOf(name), allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(name, err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (!values.help) {
    const required = spec.args.filter((a) => !('optional' in a && a.optional)).length;
    const repeats = spec.args.some((a) => 'repeat' in a && a.repeat);
    if (positionals.length < required) throw usageError(name, `missing ${spec.args[positionals.length]?.name}`);
    if (!repeats && positionals.length > spec.args.length)
      throw usageError(name, `unexpected argument ${JSON.stringify(positionals[spec.args.length])}`);
  }
  return { command: name, values, positionals } as ParsedArgs<N>;
}

/**
 * Whether a command-line word means a workers file rather than a worker name: it contains a slash,
 * ends in .yaml/.yml, or names an existing file. (With -c FILE the caller treats every word as a name.)
 */
export function looksLikeConfigFile(word: string): boolean {
  if (word.includes('/') || /\.ya?ml$/i.test(word)) return true;
  try {
    return existsSync(word) && statSync(word).isFile();
  } catch {
    return false;
  }
}

/**
 * The workers file of a command: -c/--config, else a FILE argument, else $GMSUP_CONFIG, else
 * ./workers.yaml (resolveConfigFile). Both -c and a FILE argument is a usage error.
 */
export function configFileOf(args: ParsedArgs, fileArg: string | undefined): string {
  const option = args.values.config;
  if (option !== undefined && fileArg !== undefined)
    throw usageError(args.command, `give the workers file once: -c ${option} or ${fileArg}, not both`);
  return resolveConfigFile(option ?? fileArg);
}

/**
 * For commands whose last argument may be a workers file (`restart NAME [FILE]`): splits it off when it
 * looks like one (and no -c was given).
 */
export function splitTrailingFile(args: ParsedArgs, fixed: number): { words: string[]; file: string } {
  const words = [...args.positionals];
  let fileArg: string | undefined;
  if (words.length > fixed && args.values.config === undefined) {
    fileArg = words.pop();
    if (fileArg !== undefined && !looksLikeConfigFile(fileArg))
      throw usageError(args.command, `${JSON.stringify(fileArg)} is not a workers file (no such file)`);
  }
  if (words.length > fixed) throw usageError(args.command, `unexpected argument ${JSON.stringify(words[fixed])}`);
  return { words, file: configFileOf(args, fileArg) };
}

/**
 * For `start`/`stop`: worker names, or the workers file. Without -c, a trailing word that looks like a
 * file (looksLikeConfigFile) is the file and the others are names; with -c every word is a name.
 */
export function namesAndFile(args: ParsedArgs): { names: string[]; file: string } {
  const words = [...args.positionals];
  let fileArg: string | undefined;
  if (args.values.config === undefined && words.length > 0 && looksLikeConfigFile(words.at(-1) ?? ''))
    fileArg = words.pop();
  const stray = args.values.config === undefined ? words.find((w) => looksLikeConfigFile(w)) : undefined;
  if (stray !== undefined)
    throw usageError(args.command, `${JSON.stringify(stray)} looks like a workers file: give it last, or use -c`);
  return { names: words, file: configFileOf(args, fileArg) };
}
