// `node dist/worker/compile-main.js FILE...`: compiles TS worker modules into the cache (see ts-cache)
// and prints one JSON line per file. The daemon runs it in a short-lived process so esbuild never
// loads into the long-lived daemon's memory.

import { compileTsModule } from './ts-cache.js';

export interface CompileReport {
  path: string;
  compiled: boolean;
  ms: number;
  error?: string;
}

for (const path of process.argv.slice(2)) {
  const startedMs = Date.now();
  let report: CompileReport;
  try {
    const r = await compileTsModule(path);
    report = { path, compiled: r.compiled, ms: Date.now() - startedMs };
  } catch (err) {
    report = {
      path,
      compiled: false,
      ms: Date.now() - startedMs,
      error: err instanceof Error ? err.message : String(err),
    };
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
process.exit(0);
