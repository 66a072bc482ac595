// Loads a worker module and picks its handler for one function: the named export with the function's
// name, else the default export (a function, or an object holding one per function). `.ts` goes
// through the compile cache; `.js`/`.mjs`/`.cjs` are imported natively.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GmsupError } from '../shared/errors.js';
import type { JobHandler } from './job-context.js';
import { isTypeScriptModule } from './module-files.js';

export interface LoadedModule {
  handler: JobHandler;
  /** The file actually imported (the cached compile for TS). */
  importedFile: string;
  compiled: boolean;
}

export function pickHandler(mod: Record<string, unknown>, fn: string, file: string): JobHandler {
  const named = Object.hasOwn(mod, fn) ? mod[fn] : undefined;
  if (typeof named === 'function') return named as JobHandler;
  let def = mod.default;
  // CommonJS through import(): module.exports arrives as `default`, possibly wrapping a transpiled default.
  if (
    def &&
    typeof def === 'object' &&
    typeof (def as Record<string, unknown>).default === 'function' &&
    !(fn in def)
  ) {
    def = (def as Record<string, unknown>).default;
  }
  if (typeof def === 'function') return def as JobHandler;
  if (def && typeof def === 'object') {
    const inner = (def as Record<string, unknown>)[fn];
    if (typeof inner === 'function') return inner as JobHandler;
  }
  const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
  throw new GmsupError(
    'SPAWN_ERROR',
    `${file} has no handler for function ${JSON.stringify(fn)}: ` +
      `export a default function or a function named ${JSON.stringify(fn)}` +
      (exported.length > 0 ? ` (function exports: ${exported.join(', ')})` : ''),
  );
}

export async function loadModuleHandler(modulePath: string, fn: string): Promise<LoadedModule> {
  const file = resolve(modulePath);
  if (!existsSync(file)) throw new GmsupError('SPAWN_ERROR', `worker module not found: ${file}`);
  let importedFile = file;
  let compiled = false;
  if (isTypeScriptModule(file)) {
    const { compileTsModule } = await import('./ts-cache.js');
    const out = await compileTsModule(file);
    importedFile = out.file;
    compiled = out.compiled;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(importedFile).href)) as Record<string, unknown>;
  } catch (err) {
    throw new GmsupError(
      'SPAWN_ERROR',
      `cannot load worker module ${file}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return { handler: pickHandler(mod, fn, file), importedFile, compiled };
}
