// The shape every benchmark returns, and the side-by-side table `npm run bench` prints: gmsup's figure
// next to each reference's, with the ratio gmsup / reference.

export interface BenchRow {
  /** Benchmark group, e.g. "server: foreground echo 100 B, 16 clients, 4 workers". */
  group: string;
  metric: string;
  unit: string;
  /** Whether a larger number is better (jobs/s) or a smaller one (ms, bytes). */
  better: 'higher' | 'lower';
  gmsup: number | null;
  references: Array<{ name: string; value: number | null }>;
  note?: string;
}

function fmt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

export function ratio(gmsup: number | null, ref: number | null): string {
  if (gmsup === null || ref === null || ref === 0) return 'n/a';
  return (gmsup / ref).toFixed(2);
}

/** Markdown table, one line per (row, reference). */
export function formatTable(rows: BenchRow[]): string {
  const out = ['| benchmark | metric | gmsup | reference | value | ratio gmsup/ref |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const refs = r.references.length > 0 ? r.references : [{ name: '-', value: null }];
    for (const ref of refs) {
      const cells = [r.group, `${r.metric} (${r.unit}, ${r.better} is better)`, fmt(r.gmsup), ref.name, fmt(ref.value)];
      out.push(`| ${cells.join(' | ')} | ${ratio(r.gmsup, ref.value)} |`);
    }
    if (r.note) out.push(`| ${r.group} | note: ${r.note} | | | | |`);
  }
  return out.join('\n');
}
