// Compiles the TypeScript module of every module worker once, before its instances start: N instances
// then import the cached JS instead of racing N esbuild runs on a cold cache. It runs in a short-lived
// child (dist/worker/compile-main.js) so esbuild stays out of the daemon's memory. A compile error is
// only logged here; each instance reports it again as its init failure (and goes FATAL).

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/types.js';
import type { CompileReport } from '../worker/compile-main.js';
import { isTypeScriptModule } from '../worker/module-files.js';

const COMPILE_ENTRY = fileURLToPath(new URL('../worker/compile-main.js', import.meta.url));
const COMPILE_TIMEOUT_MS = 60_000;

export async function precompileModules(
  programs: Config['programs'],
  log: (line: string, worker?: string) => void,
): Promise<void> {
  const byPath = new Map<string, string>();
  for (const p of programs)
    if (p.spec.kind === 'module' && p.spec.modulePath && isTypeScriptModule(p.spec.modulePath)) {
      byPath.set(p.spec.modulePath, p.name);
    }
  if (byPath.size === 0) return;
  const stdout = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      [COMPILE_ENTRY, ...byPath.keys()],
      { timeout: COMPILE_TIMEOUT_MS },
      (err, out, errOut) => {
        if (err) {
          const detail = errOut ? `: ${errOut.trim()}` : '';
          const first = err.message.split('\n')[0];
          log(`module precompile did not finish (${first}); workers compile for themselves${detail}`);
        }
        resolve(out);
      },
    );
  });
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as CompileReport;
    const worker = byPath.get(r.path);
    if (r.error) log(r.error, worker);
    else if (r.compiled) log(`compiled ${r.path} in ${r.ms} ms`, worker);
  }
}
