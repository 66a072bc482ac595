// `npm run bench [-- NAME...]`: runs every benchmark suite under bench/suites (or those named), each
// side by side with its reference programs, prints one table, writes bench/results/<suite>.json and,
// for a full run, bench/results/latest.{json,md}.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, type BenchRow } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const suitesDir = join(here, 'suites');
const filters = process.argv.slice(2);

const suites = readdirSync(suitesDir)
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)));

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`;
const rows: BenchRow[] = [];
for (const file of suites) {
  const name = file.replace(/\.ts$/, '');
  process.stderr.write(`bench: ${name} ...\n`);
  const started = Date.now();
  try {
    const mod = (await import(pathToFileURL(join(suitesDir, file)).href)) as { default: () => Promise<BenchRow[]> };
    const got = await mod.default();
    rows.push(...got);
    // One file per suite too, so suites run separately (or at the same time) keep their own figures.
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(
      join(here, 'results', `${name}.json`),
      JSON.stringify({ machine, at: new Date().toISOString(), rows: got }, null, 2),
    );
    process.stderr.write(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.stderr.write(`${formatTable(got)}\n`);
  } catch (err) {
    process.stderr.write(`bench: ${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    rows.push({
      group: name,
      metric: 'failed',
      unit: '-',
      better: 'higher',
      gmsup: null,
      references: [],
      note: String(err),
    });
  }
}

const table = formatTable(rows);
mkdirSync(join(here, 'results'), { recursive: true });
if (filters.length === 0) {
  writeFileSync(
    join(here, 'results', 'latest.json'),
    JSON.stringify({ machine, at: new Date().toISOString(), rows }, null, 2),
  );
  writeFileSync(join(here, 'results', 'latest.md'), `Machine: ${machine}\n\n${table}\n`);
}
process.stdout.write(`\nMachine: ${machine}\n\n${table}\n`);
