// The log file format (docs/logs.md): how a LogLine becomes one line of a log file (text or JSON Lines)
// and how a reader turns such a line back into a LogLine. The daemon writes with formatLogLine, `gmsup
// logs` reads with parseLogLine; both sides of the contract live here.

import type { LogLine } from './protocol.js';

export type LogFormat = 'text' | 'json';

const STREAM_MARK = { stdout: 'out', stderr: 'err', daemon: 'log' } as const;
const MARK_STREAM: Record<string, LogLine['stream']> = { out: 'stdout', err: 'stderr', log: 'daemon' };

/** `daemon`, `daemon:NAME` or the instance's `NAME/INDEX/PID`. */
function sourceField(line: LogLine): string {
  if (line.stream !== 'daemon') return line.source;
  return line.worker === null ? 'daemon' : `daemon:${line.worker}`;
}

// toISOString costs about a microsecond; lines come in bursts within the same millisecond.
let cachedMs = Number.NaN;
let cachedIso = '';
function isoOf(atMs: number): string {
  if (atMs !== cachedMs) {
    cachedMs = atMs;
    cachedIso = new Date(atMs).toISOString();
  }
  return cachedIso;
}

/**
 * The file form of one entry, `\n` terminated. A text with line breaks (daemon lines can have them)
 * becomes several entries with the same timestamp and source, so every entry stays one line.
 */
export function formatLogLine(line: LogLine, format: LogFormat = 'text'): string {
  if (format === 'json') {
    const { atMs, source, worker, stream, text } = line;
    return `${JSON.stringify({ atMs, source, worker, stream, text })}\n`;
  }
  const head = `${isoOf(line.atMs)} ${sourceField(line)} ${STREAM_MARK[line.stream]} `;
  if (!line.text.includes('\n')) return `${head}${line.text}\n`;
  return line.text
    .split(/\r?\n/)
    .map((part) => `${head}${part}\n`)
    .join('');
}

const TEXT_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) (out|err|log) (.*)$/s;
const INSTANCE_SOURCE = /^([A-Za-z0-9_.-]+)\/\d+\/(?:\d+|-)$/;
const DAEMON_SOURCE = /^daemon(?::([A-Za-z0-9_.-]+))?$/;

/** One line of a log file (without its `\n`) as a LogLine, or null when it is not in either format. */
export function parseLogLine(text: string): LogLine | null {
  if (text.startsWith('{')) return parseJsonLine(text);
  const m = TEXT_LINE.exec(text);
  if (!m) return null;
  const [, stamp = '', source = '', mark = '', body = ''] = m;
  const atMs = Date.parse(stamp);
  const stream = MARK_STREAM[mark];
  if (Number.isNaN(atMs) || stream === undefined) return null;
  if (stream === 'daemon') {
    const d = DAEMON_SOURCE.exec(source);
    if (!d) return null;
    return { atMs, source: 'daemon', worker: d[1] ?? null, stream, text: body };
  }
  const i = INSTANCE_SOURCE.exec(source);
  if (!i) return null;
  return { atMs, source, worker: i[1] ?? null, stream, text: body };
}

function parseJsonLine(text: string): LogLine | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const streamOk = o.stream === 'stdout' || o.stream === 'stderr' || o.stream === 'daemon';
  if (typeof o.atMs !== 'number' || typeof o.source !== 'string' || typeof o.text !== 'string' || !streamOk)
    return null;
  if (o.worker !== null && typeof o.worker !== 'string') return null;
  return {
    atMs: o.atMs,
    source: o.source,
    worker: o.worker as string | null,
    stream: o.stream as LogLine['stream'],
    text: o.text,
  };
}
