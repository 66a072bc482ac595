// Prints the server suite's rows from bench/results/latest.json as one compact markdown table (one line per
// metric, both gearmand settings side by side) for docs/bench-server.md: `node --import tsx bench/lib/server-table.ts`.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratio, type BenchRow } from '../report.js';

const file = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'latest.json');
const { machine, at, rows } = JSON.parse(readFileSync(file, 'utf8')) as {
  machine: string;
  at: string;
  rows: BenchRow[];
};

function fmt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

const out = [
  `Machine: ${machine}; run at ${at}.`,
  '',
  '| benchmark | metric | unit | better | gmsup | gearmand default | gearmand best | gmsup/default | gmsup/best |',
  '|---|---|---|---|---|---|---|---|---|',
];
let lastGroup = '';
for (const r of rows.filter((x) => x.group.startsWith('server:'))) {
  const [def, best] = [r.references[0]?.value ?? null, r.references[1]?.value ?? null];
  const group = r.group === lastGroup ? '〃' : r.group.replace(/^server: /, '');
  lastGroup = r.group;
  const cells = [group, r.metric, r.unit, r.better, fmt(r.gmsup), fmt(def), fmt(best)];
  out.push(`| ${cells.join(' | ')} | ${ratio(r.gmsup, def)} | ${ratio(r.gmsup, best)} |`);
  if (r.note) out.push(`| 〃 | note: ${r.note} | | | | | | | |`);
}
process.stdout.write(`${out.join('\n')}\n`);
