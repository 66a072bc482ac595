// Where worker and daemon log lines go: an in-memory ring (for `gmsup logs` over the control socket),
// live followers, daemon.log (the daemon's own lines), one file per worker (its instances' output) and,
// in the foreground, stdout (everything). Files are written by LogFile: batched, asynchronous, bounded,
// rotated; the format is control/log-format.ts (docs/logs.md).

import type { LogSettings } from '../config/types.js';
import { formatLogLine } from '../control/log-format.js';
import type { LogLine } from '../control/protocol.js';
import { LogFile, type LogFileHooks } from './log-file.js';

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

/** The last `size` entries, oldest first; O(1) per push. */
class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;
  constructor(private readonly size: number) {
    this.items = new Array<T | undefined>(size);
  }
  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
  }
  /** The newest `n` entries that pass `keep`, oldest first. */
  last(n: number, keep: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.count && out.length < n; i++) {
      const item = this.items[(this.next - i + this.size) % this.size];
      if (item !== undefined && keep(item)) out.push(item);
    }
    return out.reverse();
  }
}

export class LogSink {
  private readonly ring: Ring<LogLine>;
  private readonly followers = new Set<(line: LogLine) => void>();
  private readonly workerFiles = new Map<string, LogFile | null>();
  private readonly daemonFile: LogFile | null;
  private readonly echo: LogFile | null;
  private settings: LogSettings;
  private readonly lastReportAt = new Map<string, number>();
  private readonly unreported = new Map<string, number>();
  /** Problems with the log files (open, write, rotate, compress failures; drops) since start. */
  problems = 0;

  constructor(private readonly opts: LogSinkOptions) {
    this.settings = opts.settings;
    this.ring = new Ring(Math.max(1, opts.ringSize ?? DEFAULT_RING));
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

  worker(worker: string, index: number, pid: number | null, stream: 'stdout' | 'stderr', text: string): void {
    const line: LogLine = { atMs: Date.now(), source: `${worker}/${index}/${pid ?? '-'}`, worker, stream, text };
    this.add(line, this.fileFor(worker));
  }

  tail(name: string | undefined, lines: number): LogLine[] {
    return this.ring.last(lines, (l) => !name || l.worker === name);
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

  private add(line: LogLine, file: LogFile | null): void {
    this.ring.push(line);
    for (const f of this.followers) {
      try {
        f(line);
      } catch (err) {
        this.followers.delete(f); // a broken follower is dropped, never allowed to break logging
        this.problem('a log follower', err);
      }
    }
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
      gapLine: (lines, chars) => {
        const what =
          `dropped ${lines} lines (${chars} characters) here: they came faster than the disk took them ` +
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
