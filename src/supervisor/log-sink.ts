// Where worker and daemon log lines go: an in-memory ring (for `gmsup logs` over the control socket),
// live followers, daemon.log (the daemon's own lines), one file per worker (its instances' output) and,
// in the foreground, stdout (everything). Files are written by LogFile: batched, asynchronous, bounded,
// rotated; the format is control/log-format.ts (docs/logs.md). A worker's output arrives as bytes in
// line-aligned pieces and is formatted without decoding it (a few native copies per line).

import type { LogSettings } from '../config/types.js';
import { formatLogLine } from '../control/log-format.js';
import type { LogLine } from '../control/protocol.js';
import { LogFile, type LogFileHooks } from './log-file.js';
import { LogRing } from './log-ring.js';

export interface LogSinkOptions {
  settings: LogSettings;
  /** daemon.log, or null for none (unit tests). */
  daemonFile: string | null;
  /** A worker's log file, or null for none. */
  workerFile: (worker: string) => string | null;
  /** Also write every line to this fd (1 in the foreground: containers and journald read stdout). */
  echoFd?: number | null;
  ringSize?: number;
  /** Problems with the log files themselves also go here (daemon.log may be the broken one). */
  fallback?: (text: string) => void;
}

/** A problem with one file is reported at most this often (a full disk fails every batch). */
const REPORT_EVERY_MS = 10_000;
const DEFAULT_RING = 2000;

export class LogSink {
  private readonly ring: LogRing;
  private readonly followers = new Set<(line: LogLine) => void>();
  private readonly workerFiles = new Map<string, LogFile | null>();
  private readonly daemonFile: LogFile | null;
  private readonly echo: LogFile | null;
  private settings: LogSettings;
  private readonly lastReportAt = new Map<string, number>();
  private readonly unreported = new Map<string, number>();
  private lastSource: { worker: string; index: number; pid: number | null; source: string } | null = null;
  private lastPrefix: { atMs: number; source: string; stream: string; bytes: Buffer } | null = null;
  /** Problems with the log files (open, write, rotate, compress failures; drops) since start. */
  problems = 0;

  constructor(private readonly opts: LogSinkOptions) {
    this.settings = opts.settings;
    this.ring = new LogRing(Math.max(1, opts.ringSize ?? DEFAULT_RING));
    this.daemonFile = opts.daemonFile ? LogFile.forPath(opts.daemonFile, this.settings, this.hooks(null)) : null;
    this.echo =
      opts.echoFd === undefined || opts.echoFd === null
        ? null
        : LogFile.forFd(opts.echoFd, 'stdout', this.settings, this.hooks(null));
  }

  /**
   * Opens daemon.log and the files of these workers now, so a symbolic link or a wrong file type is
   * refused (STATE_UNSAFE) before anything starts. Files of workers added later open at their first line.
   */
  open(workers: readonly string[]): void {
    this.daemonFile?.open();
    for (const w of workers) this.fileFor(w)?.open();
  }

  /** A daemon line; `worker` tags lines about one worker so `gmsup logs NAME` shows them too. */
  daemon(text: string, worker: string | null = null): void {
    this.add({ atMs: Date.now(), source: 'daemon', worker, stream: 'daemon', text }, this.daemonFile);
  }

  /** One line of a worker's output (tests; the daemon passes whole pieces to workerOutput). */
  worker(worker: string, index: number, pid: number | null, stream: 'stdout' | 'stderr', text: string): void {
    this.workerOutput(worker, index, pid, stream, Buffer.from(`${text}\n`, 'utf8'));
  }

  /** A piece of a worker instance's output: one or more complete lines (spawner.ts lineAligner). */
  workerOutput(worker: string, index: number, pid: number | null, stream: 'stdout' | 'stderr', piece: Buffer): void {
    if (piece.length === 0) return;
    const atMs = Date.now();
    const source = this.sourceOf(worker, index, pid);
    const { starts, ends, count: n } = splitLines(piece);
    this.ring.pushPiece({ atMs, source, worker, stream, bytes: piece, lines: n });
    if (this.followers.size > 0)
      for (let i = 0; i < n; i++)
        this.tell({ atMs, source, worker, stream, text: piece.toString('utf8', starts[i], ends[i]) });
    const file = this.fileFor(worker);
    if (!file && !this.echo) return;
    const out =
      this.settings.format === 'text'
        ? this.textLines(this.prefixOf(atMs, source, stream), piece, starts, ends, n)
        : this.jsonLines({ atMs, source, worker, stream }, piece, starts, ends, n);
    file?.write(out, n);
    this.echo?.write(out, n);
  }

  /** `PREFIX TEXT\n` per line, PREFIX being `TIMESTAMP SOURCE STREAM ` (the same for the whole piece). */
  private textLines(prefix: Buffer, piece: Buffer, starts: Int32Array, ends: Int32Array, n: number): Buffer {
    let size = 0;
    for (let i = 0; i < n; i++) size += prefix.length + (ends[i] ?? 0) - (starts[i] ?? 0) + 1;
    const out = Buffer.allocUnsafe(size);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      pos += prefix.copy(out, pos);
      pos += piece.copy(out, pos, starts[i], ends[i]);
      out[pos++] = 10;
    }
    return out;
  }

  private jsonLines(
    head: Omit<LogLine, 'text'>,
    piece: Buffer,
    starts: Int32Array,
    ends: Int32Array,
    n: number,
  ): Buffer {
    let json = '';
    for (let i = 0; i < n; i++)
      json += formatLogLine({ ...head, text: piece.toString('utf8', starts[i], ends[i]) }, 'json');
    return Buffer.from(json, 'utf8');
  }

  private prefixOf(atMs: number, source: string, stream: 'stdout' | 'stderr'): Buffer {
    const last = this.lastPrefix;
    if (last && last.atMs === atMs && last.source === source && last.stream === stream) return last.bytes;
    const head = formatLogLine({ atMs, source, worker: null, stream, text: '' }, 'text');
    const bytes = Buffer.from(head.slice(0, -1), 'utf8'); // without the newline of the empty text
    this.lastPrefix = { atMs, source, stream, bytes };
    return bytes;
  }

  /** `name/index/pid`, built once per instance rather than per line (a chatty worker sends 50,000 a second). */
  private sourceOf(worker: string, index: number, pid: number | null): string {
    const last = this.lastSource;
    if (last && last.worker === worker && last.index === index && last.pid === pid) return last.source;
    const source = `${worker}/${index}/${pid ?? '-'}`;
    this.lastSource = { worker, index, pid, source };
    return source;
  }

  tail(name: string | undefined, lines: number): LogLine[] {
    return this.ring.last(lines, name || undefined);
  }

  follow(listener: (line: LogLine) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  /** New `logs:` settings (a reload): every file uses them from its next write. */
  configure(settings: LogSettings): void {
    this.settings = settings;
    for (const f of this.files()) f.configure(settings);
  }

  /** SIGUSR2: every file is closed and opened again (an external logrotate renamed them). */
  reopen(): void {
    for (const f of this.files()) f.reopen();
  }

  /** Lines dropped because a destination was slower than the lines came (all files). */
  get droppedLines(): number {
    return this.files().reduce((n, f) => n + f.droppedLines, 0);
  }

  /** Resolves once everything logged so far is written. */
  async flush(): Promise<void> {
    await Promise.all(this.files().map((f) => f.flush()));
  }

  async close(): Promise<void> {
    this.followers.clear();
    await Promise.all(this.files().map((f) => f.close()));
  }

  private files(): LogFile[] {
    const all = [...this.workerFiles.values(), this.daemonFile, this.echo];
    return all.filter((f): f is LogFile => f !== null);
  }

  private tell(line: LogLine): void {
    for (const f of this.followers) {
      try {
        f(line);
      } catch (err) {
        this.followers.delete(f); // a broken follower is dropped, never allowed to break logging
        this.problem('a log follower', err);
      }
    }
  }

  private add(line: LogLine, file: LogFile | null): void {
    this.ring.push(line);
    this.tell(line);
    if (!file && !this.echo) return;
    const text = formatLogLine(line, this.settings.format);
    file?.write(text);
    this.echo?.write(text);
  }

  private fileFor(worker: string): LogFile | null {
    let f = this.workerFiles.get(worker);
    if (f === undefined) {
      const path = this.opts.workerFile(worker);
      f = path ? LogFile.forPath(path, this.settings, this.hooks(worker)) : null;
      this.workerFiles.set(worker, f);
    }
    return f;
  }

  private hooks(worker: string | null): LogFileHooks {
    return {
      gapLine: (lines, bytes) => {
        const what =
          `dropped ${lines} lines (${bytes} bytes) here: they came faster than the disk took them ` +
          `(logs.buffer is ${this.settings.bufferBytes} bytes per file)`;
        this.report(`drops:${worker ?? 'daemon'}`, `logs: ${worker ?? 'daemon'}: ${what}`);
        const gap: LogLine = { atMs: Date.now(), source: 'daemon', worker, stream: 'daemon', text: `gmsup: ${what}` };
        return formatLogLine(gap, this.settings.format);
      },
      problem: (what, err) => this.problem(what, err),
    };
  }

  private problem(what: string, err: unknown): void {
    const why = err instanceof Error ? err.message : String(err);
    this.report(what, `logs: ${what}: ${why}`);
  }

  /** Counts every problem; logs it at most once per REPORT_EVERY_MS per kind, saying how many were folded in. */
  private report(key: string, text: string): void {
    this.problems++;
    const now = Date.now();
    const last = this.lastReportAt.get(key);
    if (last !== undefined && now - last < REPORT_EVERY_MS) {
      this.unreported.set(key, (this.unreported.get(key) ?? 0) + 1);
      return;
    }
    const folded = this.unreported.get(key) ?? 0;
    this.unreported.delete(key);
    this.lastReportAt.set(key, now);
    const line = folded > 0 ? `${text} (and ${folded} more like it in the last ${REPORT_EVERY_MS / 1000} s)` : text;
    this.opts.fallback?.(`${new Date(now).toISOString()} ${line}\n`);
    this.daemon(line);
  }
}

/** Scratch space for splitLines, grown when a piece has more lines (reused: no allocation per piece). */
let scratch = { starts: new Int32Array(1024), ends: new Int32Array(1024) };

/**
 * Where each line of a piece starts and ends (the end excludes `\n` and a `\r` before it), in scratch
 * arrays valid until the next call.
 */
function splitLines(piece: Buffer): { starts: Int32Array; ends: Int32Array; count: number } {
  let count = 0;
  // Bounded by the piece: every turn moves `start` past a newline or to the end.
  for (let start = 0; start < piece.length; count++) {
    const nl = piece.indexOf(10, start);
    const stop = nl < 0 ? piece.length : nl;
    if (count === scratch.starts.length) {
      const grown = { starts: new Int32Array(count * 2), ends: new Int32Array(count * 2) };
      grown.starts.set(scratch.starts);
      grown.ends.set(scratch.ends);
      scratch = grown;
    }
    scratch.starts[count] = start;
    scratch.ends[count] = nl >= 0 && stop > start && piece[stop - 1] === 13 ? stop - 1 : stop;
    start = stop + 1;
  }
  return { starts: scratch.starts, ends: scratch.ends, count };
}
