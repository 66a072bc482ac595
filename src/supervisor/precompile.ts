// Compiles the TypeScript module of every module worker once, in the daemon, before instances start:
// N instances then import the cached JS instead of racing N esbuild runs on a cold cache. A compile
// error is only logged here; each instance reports it again as its init failure (and goes FATAL).

import type { Config } from '../config/types.js';

const TS_EXTENSION = /\.(c|m)?tsx?$/;

export async function precompileModules(programs: Config['programs'], log: (line: string, worker?: string) => void): Promise<void> {
  const byPath = new Map<string, string>();
  for (const p of programs) if (p.kind === 'module' && p.modulePath && TS_EXTENSION.test(p.modulePath)) byPath.set(p.modulePath, p.name);
  if (byPath.size === 0) return;
  const { compileTsModule } = await import('../worker/ts-cache.js');
  let compiled = false;
  for (const [path, worker] of byPath) {
    const startedMs = Date.now();
    try {
      const r = await compileTsModule(path);
      if (r.compiled) {
        compiled = true;
        log(`compiled ${path} in ${Date.now() - startedMs} ms`, worker);
      }
    } catch (err) {
      log(`cannot compile ${path}: ${err instanceof Error ? err.message : String(err)}`, worker);
    }
  }
  // esbuild keeps a helper process alive after a build; the daemon has no further use for it.
  if (compiled) (await import('esbuild')).stop();
}
