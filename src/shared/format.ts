// Pure text formatting shared by the dashboard and `gmsup status`: durations, sizes, rates, percentages
// and fixed-width cells. Widths are terminal columns, not string lengths: ANSI sequences and other control
// characters are taken out of cell text, and wide characters (CJK, emoji) count two (string-width).
// No terminal, no blessed.

import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '-';
  if (bytes < 1024) return `${bytes}B`;
  const units = ['K', 'M', 'G', 'T'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

export function formatPercent(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '-';
  return p >= 100 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}

/** Compact count: 999, 1.2k, 34k, 1.2M. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) < 1000) return String(Math.round(n));
  if (Math.abs(n) < 1e6) return `${(n / 1e3).toFixed(Math.abs(n) < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(Math.abs(n) < 1e7 ? 1 : 0)}M`;
}

export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '0';
  if (perSec < 10) return perSec.toFixed(1);
  return formatCount(perSec);
}

/**
 * Text that is safe to put in a column: ANSI escape sequences removed, any other control character (C0,
 * DEL, C1) shown as a space, so worker output can neither move the cursor nor misalign a table.
 */
export function cleanText(text: string): string {
  return stripAnsi(text).replace(/[\x00-\x1f\x7f-\x9f]/g, ' ');
}

/** Terminal columns `text` takes once cleaned (a CJK character or an emoji takes two). */
export function displayWidth(text: string): number {
  return stringWidth(cleanText(text));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of the cleaned text that fits in `width` columns (no character or emoji cut in two). */
export function sliceToWidth(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(cleanText(text))) {
    const w = stringWidth(segment);
    if (used + w > width) break;
    out += segment;
    used += w;
  }
  return out;
}

/** Cuts to `width` columns, marking the cut with '…'; never splits a character (or an emoji sequence). */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const clean = cleanText(text);
  if (stringWidth(clean) <= width) return clean;
  return `${sliceToWidth(clean, width - 1)}…`;
}

/** Pads cleaned text with spaces to `width` columns (right-aligned when `right`); never cuts. */
export function padToWidth(text: string, width: number, right = false): string {
  const clean = cleanText(text);
  const fill = ' '.repeat(Math.max(0, width - stringWidth(clean)));
  return right ? fill + clean : clean + fill;
}

/** Exactly `width` columns: cleaned, truncated, then padded (right-aligned when `right`). */
export function cell(text: string, width: number, right = false): string {
  return padToWidth(truncate(text, width), width, right);
}
