// `gmsup init [-c FILE] [--force]`: writes a commented workers file and the example module it runs into
// the current folder (or next to FILE), from the package's templates/. Never overwrites without --force.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParsedArgs } from '../command-table.js';
import { GmsupError } from '../../shared/errors.js';
import { resolveConfigFile } from '../../shared/state-dir.js';

/** The package root: src/cli/commands and dist/cli/commands both sit three levels below it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'schema', 'workers.schema.json');

/**
 * What the `$schema` line points at: the schema of the gmsup installed in the project's node_modules
 * (relative, so the project can move), else this package's own copy (absolute).
 */
export function schemaReference(configDir: string): string {
  const local = join(configDir, 'node_modules', 'gmsup', 'schema', 'workers.schema.json');
  return existsSync(local) ? `./${relative(configDir, local)}` : SCHEMA_FILE;
}

export async function run(args: ParsedArgs<'init'>): Promise<number> {
  // Not $GMSUP_CONFIG: init writes where it is told or here, never into a file named by the environment.
  const file = resolveConfigFile(args.values.config, {});
  const dir = dirname(file);
  const outputs = [
    {
      path: file,
      text: readFileSync(join(PACKAGE_ROOT, 'templates', 'workers.yaml'), 'utf8').replace(
        '{{schema}}',
        schemaReference(dir),
      ),
    },
    { path: join(dir, 'reverse.ts'), text: readFileSync(join(PACKAGE_ROOT, 'templates', 'reverse.ts'), 'utf8') },
  ];
  const existing = outputs.filter((o) => existsSync(o.path)).map((o) => o.path);
  if (existing.length > 0 && !args.values.force)
    throw new GmsupError(
      'FILE_EXISTS',
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; --force overwrites`,
    );
  for (const o of outputs) {
    writeFileSync(o.path, o.text, { mode: 0o644 });
    process.stdout.write(`gmsup: wrote ${o.path}\n`);
  }
  const name = relative(process.cwd(), file);
  const c = name === 'workers.yaml' ? '' : ` -c ${name}`;
  process.stdout.write(`next: gmsup check${c} && gmsup start${c}, then: gmsup submit reverse hello\n`);
  return 0;
}
