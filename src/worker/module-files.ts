// Which files a `module:` worker may be: the one list the config validator, the module loader and the
// daemon's precompile step share. TypeScript ones go through the compile cache; the rest load natively.

import { extname } from 'node:path';

export const TS_MODULE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts'];
export const JS_MODULE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs'];
export const MODULE_EXTENSIONS: readonly string[] = [...TS_MODULE_EXTENSIONS, ...JS_MODULE_EXTENSIONS];

export function isModuleFile(path: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(path));
}

export function isTypeScriptModule(path: string): boolean {
  return TS_MODULE_EXTENSIONS.includes(extname(path));
}
