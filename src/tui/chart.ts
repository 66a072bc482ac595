// Hand-drawn charts with unicode block characters (no blessed-contrib): a one-line sparkline and a
// multi-row bar chart. Pure: values in, lines of text out.

const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** Averages `values` into `width` columns, the newest on the right; missing history is left empty. */
export function bucketize(values: readonly number[], width: number, samplesPerColumn: number): Array<number | null> {
  const out: Array<number | null> = new Array(Math.max(0, width)).fill(null);
  const per = Math.max(1, Math.floor(samplesPerColumn));
  let end = values.length;
  for (let col = width - 1; col >= 0 && end > 0; col--) {
    const start = Math.max(0, end - per);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i]!; // start <= i < end <= values.length
    out[col] = sum / (end - start);
    end = start;
  }
  return out;
}

function maxOf(cols: Array<number | null>): number {
  let max = 0;
  for (const v of cols) if (v !== null && v > max) max = v;
  return max;
}

/** One line of block characters scaled to the largest value (or `scaleMax`). */
export function sparkline(cols: Array<number | null>, scaleMax?: number): string {
  const max = scaleMax ?? maxOf(cols);
  let s = '';
  for (const v of cols) {
    if (v === null) s += ' ';
    else if (max <= 0 || v <= 0) s += '▁';
    else s += EIGHTHS[Math.max(1, Math.min(8, Math.round((v / max) * 8)))];
  }
  return s;
}

/** `height` lines of a bar chart, top line first; each row holds 8 levels. */
export function barChart(cols: Array<number | null>, height: number, scaleMax?: number): string[] {
  const max = scaleMax ?? maxOf(cols);
  const rows: string[] = [];
  // Bar height in eighths of a row; null where there is no value (drawn as a gap).
  const levels = cols.map((v) => (v === null ? null : max <= 0 ? 0 : Math.round((Math.max(0, v) / max) * height * 8)));
  for (let r = height - 1; r >= 0; r--) {
    let line = '';
    for (const level of levels) {
      if (level === null) line += ' ';
      else if (r === 0 && level === 0) line += '▁';
      else line += EIGHTHS[Math.max(0, Math.min(8, level - r * 8))];
    }
    rows.push(line);
  }
  return rows;
}
