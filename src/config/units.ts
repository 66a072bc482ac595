// Parsing of human-written durations (`500ms`, `30s`, `1h30m`, bare numbers = ms) and sizes
// (`512MB`, `1GiB`, bare numbers = bytes). Pure; returns a value or an error message, never throws.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250`, `250ms`, `1.5s`, `5m`, `1h30m`, `2d`; bare numbers are milliseconds. */
export function parseDurationMs(value: unknown): Parsed<number> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, message: `must not be negative, got ${value}` };
    return { ok: true, value: Math.round(value) };
  }
  if (typeof value !== 'string')
    return { ok: false, message: `expected a duration like 500ms, 30s, 5m or 1h, got ${describe(value)}` };
  const text = value.trim().toLowerCase();
  const bad: Parsed<number> = {
    ok: false,
    message: `bad duration ${JSON.stringify(value)}: use a number of ms or 500ms, 30s, 5m, 1h, 1h30m`,
  };
  if (text === '') return bad;
  if (/^\d+(\.\d+)?$/.test(text)) return { ok: true, value: Math.round(Number(text)) };
  // A sequence of <number><unit> parts, units in decreasing order (`1h30m`, `2m15s`).
  const part = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  let lastUnitMs = Infinity;
  while (pos < text.length) {
    part.lastIndex = pos;
    const m = part.exec(text);
    if (!m) return bad;
    const unitMs = DURATION_UNITS_MS[m[2]!]!;
    if (unitMs >= lastUnitMs) return bad;
    lastUnitMs = unitMs;
    total += Number(m[1]) * unitMs;
    pos = part.lastIndex;
    while (text[pos] === ' ') pos++;
  }
  return { ok: true, value: Math.round(total) };
}

// KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024 (IEC); no guessing between the two.
const SIZE_UNITS_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `1048576`, `512MB`, `1.5GiB`, `64 KiB`; bare numbers are bytes. */
export function parseSizeBytes(value: unknown): Parsed<number> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, message: `must not be negative, got ${value}` };
    return { ok: true, value: Math.round(value) };
  }
  if (typeof value !== 'string')
    return { ok: false, message: `expected a size like 512MB or 1GiB, got ${describe(value)}` };
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? (m[2] === '' ? 'b' : m[2]!.toLowerCase()) : '';
  const factor = SIZE_UNITS_BYTES[unit];
  if (!m || factor === undefined) {
    return {
      ok: false,
      message: `bad size ${JSON.stringify(value)}: use bytes or a unit B, KB, MB, GB, KiB, MiB, GiB (e.g. 512MB, 1GiB)`,
    };
  }
  return { ok: true, value: Math.round(Number(m[1]) * factor) };
}

/** A short description of a YAML value's type for messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** A duration as the workers file would say it: the largest unit that divides it (`30s`, `5m`, `250ms`). */
export function formatDurationSetting(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A size as the workers file would say it: an exact binary or decimal unit, else bytes (`256MiB`, `1GB`). */
export function formatSizeSetting(bytes: number): string {
  const units = [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
    ['TB', 1e12],
    ['GB', 1e9],
    ['MB', 1e6],
    ['KB', 1e3],
  ] as const;
  for (const [unit, size] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes}B`;
}
