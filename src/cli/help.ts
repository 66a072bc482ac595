// `gmsup help`, `gmsup help CMD` and `gmsup CMD --help`: rendered from the command table, with each
// command's exit statuses from the error table. Pure: text out.

import { ErrorCodes } from '../shared/errors.js';
import { VERSION } from '../shared/version.js';
import { COMMANDS, CONFIG_OPTION, HELP_OPTION, specOf, type CommandName, type OptionSpec } from './command-table.js';

/** `Usage: gmsup CMD ...` lines (one per alternative form). */
export function usageLines(name: CommandName): string[] {
  const spec = specOf(name);
  const forms = spec.usage ?? [
    spec.args
      .map((a) => {
        const word = a.repeat ? `${a.name}...` : a.name;
        return a.optional ? `[${word}]` : word;
      })
      .join(' '),
  ];
  const suffix = Object.keys(spec.options).length > 0 || spec.usesConfig ? ' [options]' : '';
  return forms.map((f, i) => `${i === 0 ? 'Usage:' : '      '} gmsup ${name}${f ? ` ${f}` : ''}${suffix}`);
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const heads = Object.entries(options).map(([key, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    const value = o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : '';
    return [`  ${short}--${key}${value}`, o.description] as const;
  });
  const width = Math.max(...heads.map(([h]) => h.length));
  return heads.map(([h, d]) => `${h.padEnd(width)}  ${d}`);
}

/** The full help of one command. */
export function commandHelp(name: CommandName): string {
  const spec = specOf(name);
  const options: Record<string, OptionSpec> = {
    ...spec.options,
    ...(spec.usesConfig ? { config: CONFIG_OPTION } : {}),
    help: HELP_OPTION,
  };
  const exits = [...spec.exits]
    .sort((a, b) => ErrorCodes[a].exit - ErrorCodes[b].exit)
    .map((c) => `${String(ErrorCodes[c].exit).padStart(2)} ${ErrorCodes[c].doc}`);
  const lines = [
    ...usageLines(name),
    '',
    `${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.`,
    ...spec.description,
    '',
    'Options:',
    ...optionLines(options),
  ];
  if (exits.length > 0)
    lines.push('', 'Exit status: 0 ok; 64 usage; 70 internal error; and', ...exits.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** `gmsup help`: every command with its summary. */
export function overview(): string {
  const names = (Object.keys(COMMANDS) as CommandName[]).filter((n) => !specOf(n).hidden);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `gmsup ${VERSION}: run Gearman workers`,
    '',
    'Usage: gmsup <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${specOf(n).summary}`),
    '',
    "Run `gmsup help <command>` (or `gmsup <command> --help`) for a command's arguments and options.",
    'Exit statuses are listed in the README (`src/shared/errors.ts`).',
    '',
  ].join('\n');
}
