// A strict parser of the Prometheus text exposition format (0.0.4) for tests: it rejects what
// Prometheus' own parser rejects (bad names, bad escapes, bad values, duplicate HELP/TYPE/series, a
// TYPE after samples, interleaved families) and checks histogram structure (le order, cumulative
// counts, +Inf bucket = _count). Lenient npm parsers accept most of these, so they cannot catch them.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ParsedSample {
  /** The sample's own name (`x_bucket`, `x_sum` for a histogram family `x`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: MetricType;
  help: string | null;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class ExpositionError extends Error {}

function fail(lineNo: number, line: string, why: string): never {
  throw new ExpositionError(`line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
}

export function parseValue(text: string): number | null {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return FLOAT.test(text) ? Number(text) : null;
}

function unescapeHelp(text: string, lineNo: number, line: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    return fail(lineNo, line, `bad escape \\${c} in HELP`);
  });
}

/** Parses `name{labels} value [timestamp]`. */
function parseSample(line: string, lineNo: number): ParsedSample {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
  const name = line.slice(0, i);
  if (!NAME.test(name)) fail(lineNo, line, `bad metric name ${JSON.stringify(name)}`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const start = i;
      while (i < line.length && /[a-zA-Z0-9_]/.test(line[i]!)) i++;
      const label = line.slice(start, i);
      if (!LABEL.test(label)) fail(lineNo, line, `bad label name ${JSON.stringify(label)}`);
      if (Object.hasOwn(labels, label)) fail(lineNo, line, `label ${label} given twice`);
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') fail(lineNo, line, `expected = after label ${label}`);
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') fail(lineNo, line, `expected " to open the value of ${label}`);
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) fail(lineNo, line, `unterminated value of label ${label}`);
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else fail(lineNo, line, `bad escape \\${e ?? ''} in label ${label}`);
        } else value += c;
      }
      labels[label] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') fail(lineNo, line, 'expected , or } after a label');
    }
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '')
    fail(lineNo, line, 'expected a value and an optional timestamp');
  const value = parseValue(rest[0]!);
  if (value === null) fail(lineNo, line, `bad value ${JSON.stringify(rest[0])}`);
  if (rest[1] !== undefined && !/^-?\d+$/.test(rest[1])) fail(lineNo, line, `bad timestamp ${JSON.stringify(rest[1])}`);
  return { name, labels, value };
}

/** The family a sample name belongs to, given the families declared so far. */
function familyOf(sample: string, declared: Map<string, ParsedFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const base = sample.slice(0, -suffix.length);
    const t = declared.get(base)?.type;
    if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return base;
  }
  return sample;
}

const seriesKey = (s: ParsedSample): string =>
  `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new ExpositionError('the text does not end with a newline');
  const families = new Map<string, ParsedFamily>();
  const finished = new Set<string>();
  const series = new Set<string>();
  const typed = new Set<string>();
  let current: string | null = null;
  const enter = (name: string, lineNo: number, line: string): ParsedFamily => {
    if (current !== name) {
      if (finished.has(name)) fail(lineNo, line, `family ${name} continues after another family started`);
      if (current !== null) finished.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', help: null, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ''] = m;
      if (!NAME.test(name!)) fail(lineNo, line, `bad metric name ${JSON.stringify(name)}`);
      const f = enter(name!, lineNo, line);
      if (kind === 'HELP') {
        if (f.help !== null) fail(lineNo, line, `second HELP for ${name}`);
        f.help = unescapeHelp(rest, lineNo, line);
      } else {
        if (!TYPES.has(rest.trim())) fail(lineNo, line, `unknown type ${JSON.stringify(rest)}`);
        if (f.samples.length > 0) fail(lineNo, line, `TYPE for ${name} after its samples`);
        if (typed.has(f.name)) fail(lineNo, line, `second TYPE for ${name}`);
        f.type = rest.trim() as MetricType;
        typed.add(f.name);
      }
      return;
    }
    const s = parseSample(line, lineNo);
    const fam = enter(familyOf(s.name, families), lineNo, line);
    const key = seriesKey(s);
    if (series.has(key)) fail(lineNo, line, `series ${key} given twice`);
    series.add(key);
    if (fam.type === 'counter' && !(s.value >= 0)) fail(lineNo, line, 'a counter must be a number >= 0');
    if (fam.type === 'histogram' && s.name === `${fam.name}_bucket` && s.labels.le === undefined) {
      fail(lineNo, line, 'a histogram bucket needs an le label');
    }
    if (fam.type === 'histogram' && s.name === fam.name) fail(lineNo, line, 'a histogram has no plain sample');
    fam.samples.push(s);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: ParsedFamily): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      const bound = parseValue(le!);
      if (bound === null || Number.isNaN(bound)) throw new ExpositionError(`${f.name}: bad le ${JSON.stringify(le)}`);
      g.buckets.push([bound, s.value]);
    } else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else if (s.name === `${f.name}_count`) g.count = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.sum === undefined || g.count === undefined) throw new ExpositionError(`${where}: _sum or _count missing`);
    const last = g.buckets[g.buckets.length - 1];
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY)
      throw new ExpositionError(`${where}: no +Inf bucket last`);
    if (last[1] !== g.count) throw new ExpositionError(`${where}: +Inf bucket ${last[1]} != _count ${g.count}`);
    for (let i = 1; i < g.buckets.length; i++) {
      const [prevLe, prevN] = g.buckets[i - 1]!;
      const [le, n] = g.buckets[i]!;
      if (!(le > prevLe)) throw new ExpositionError(`${where}: le ${le} not above ${prevLe}`);
      if (n < prevN) throw new ExpositionError(`${where}: bucket le=${le} count ${n} below the previous ${prevN}`);
    }
  }
}

/** The value of the one sample of `name` whose labels include `labels`; throws when not exactly one. */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const matches: ParsedSample[] = [];
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) matches.push(s);
    }
  }
  if (matches.length !== 1) {
    throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  }
  return matches[0]!.value;
}
