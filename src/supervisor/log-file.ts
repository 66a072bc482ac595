// One log destination (a file, or the daemon's stdout) written off the event loop: formatted lines are
// queued as bytes, and one asynchronous write per flush takes everything queued (at most one write in
// flight), so a chatty worker never stalls the embedded job server. The queue is bounded: past
// `bufferBytes` lines are dropped and counted, and a marker line records the gap. Files rotate by size.

import { close, fstatSync, write } from 'node:fs';
import { openPrivateFile } from '../shared/state-files.js';
import { type Rotation, rotateFiles } from './log-rotation.js';

export interface LogFileSettings {
  /** Rotate before the file would pass this size; 0 = never (an external logrotate does it). */
  maxBytes: number;
  /** Rotated files kept (F.1 ... F.keep); 0 = none, the file is just started over. */
  keep: number;
  /** Gzip each rotated file in the background (F.1.gz). */
  compress: boolean;
  /** Queued bytes above which new lines are dropped. */
  bufferBytes: number;
}

export interface LogFileHooks {
  /** The marker written where lines were dropped (formatted by the sink, `\n` terminated). */
  gapLine(droppedLines: number, droppedBytes: number): string;
  /** Something failed (a write, a rotation, a compression): the sink logs and counts it. */
  problem(what: string, err: unknown): void;
}

type Target = { kind: 'file'; path: string } | { kind: 'fd'; fd: number; name: string };

/** How long to wait before retrying a write the fd refused for now (EAGAIN on a non-blocking pipe). */
const RETRY_AGAIN_MS = 10;
/**
 * Writes to one file start at most this often: a chatty worker's lines then go in a few large writes
 * (each costs the event loop a thread-pool hand-off) rather than one per pipe read. Lines wait at most this.
 */
const MIN_WRITE_INTERVAL_MS = 10;

export class LogFile {
  private fd: number | null = null;
  private sizeBytes = 0;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private gapLines = 0;
  private gapBytes = 0;
  private pumping: Promise<void> | null = null;
  private scheduled = false;
  private reopenWanted = false;
  private closed = false;
  private compressing: Promise<void> | null = null;
  private lastWriteAtMs = 0;
  /** Lines dropped since the file was opened (the queue was full). */
  droppedLines = 0;
  /** Writes issued (one per flush). */
  writes = 0;

  private constructor(
    private readonly target: Target,
    private settings: LogFileSettings,
    private readonly hooks: LogFileHooks,
  ) {}

  /** A file, opened by open() or else at its first write. */
  static forPath(path: string, settings: LogFileSettings, hooks: LogFileHooks): LogFile {
    return new LogFile({ kind: 'file', path }, settings, hooks);
  }

  /** An fd owned by someone else (stdout): never rotated, reopened or closed. */
  static forFd(fd: number, name: string, settings: LogFileSettings, hooks: LogFileHooks): LogFile {
    const f = new LogFile({ kind: 'fd', fd, name }, { ...settings, maxBytes: 0 }, hooks);
    f.fd = fd;
    return f;
  }

  get name(): string {
    return this.target.kind === 'file' ? this.target.path : this.target.name;
  }

  /**
   * Queues `lines` complete lines (formatted, `\n` terminated); false when they were dropped because the
   * queue is full. The buffer must not change afterwards (it is written later, as it is).
   */
  write(data: Buffer | string, lines = 1): boolean {
    if (this.closed) return false;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (this.queuedBytes + bytes.length > this.settings.bufferBytes && this.queuedBytes > 0) {
      this.gapLines += lines;
      this.gapBytes += bytes.length;
      this.droppedLines += lines;
      return false;
    }
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.schedule();
    return true;
  }

  configure(settings: LogFileSettings): void {
    this.settings = this.target.kind === 'fd' ? { ...settings, maxBytes: 0 } : settings;
  }

  /** Close and open the path again at the next flush (after an external rename: SIGUSR2). */
  reopen(): void {
    if (this.target.kind !== 'file' || this.closed) return;
    this.reopenWanted = true;
    this.schedule();
  }

  /** Resolves once everything queued before the call is written (or failed). */
  async flush(): Promise<void> {
    // Bounded: each turn writes what was queued at its start; new lines may keep coming meanwhile.
    for (let i = 0; i < 1000 && (this.pumping || this.queue.length > 0 || this.reopenWanted); i++)
      await (this.pumping ?? this.pump());
  }

  /** Writes what is queued, waits for a compression in progress, closes the file. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.compressing;
    if (this.target.kind === 'file') this.closeFd();
  }

  private schedule(): void {
    if (this.scheduled || this.pumping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.pumping) void this.pump();
    });
  }

  private pump(): Promise<void> {
    const run = async () => {
      try {
        // Bounded by the queue: every turn takes all of it; lines queued meanwhile go in the next turn.
        while (this.queue.length > 0 || this.reopenWanted || this.gapLines > 0) {
          const waitMs = this.lastWriteAtMs + MIN_WRITE_INTERVAL_MS - Date.now();
          if (waitMs > 0) await new Promise((r) => setTimeout(r, Math.min(waitMs, MIN_WRITE_INTERVAL_MS)));
          this.lastWriteAtMs = Date.now();
          if (this.reopenWanted) this.reopenNow();
          await this.writeQueued();
        }
      } catch (err) {
        this.hooks.problem(`writing ${this.name}`, err);
      } finally {
        this.pumping = null;
      }
    };
    this.pumping = run();
    return this.pumping;
  }

  private async writeQueued(): Promise<void> {
    if (this.fd === null && !this.tryOpen()) return this.dropQueue();
    const parts = this.queue;
    const total = this.queuedBytes;
    this.queue = [];
    this.queuedBytes = 0;
    if (this.gapLines > 0) {
      const gap = Buffer.from(this.hooks.gapLine(this.gapLines, this.gapBytes), 'utf8');
      this.gapLines = 0;
      this.gapBytes = 0;
      parts.unshift(gap);
      return this.writeBatch(Buffer.concat(parts, total + gap.length));
    }
    if (total === 0) return;
    return this.writeBatch(parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, total));
  }

  private async writeBatch(buf: Buffer): Promise<void> {
    try {
      await this.writeRotating(buf);
    } catch (err) {
      // This batch is lost (disk full, I/O error): count its lines and go on with the next one.
      const lost = countLines(buf);
      this.droppedLines += lost;
      this.hooks.problem(`writing ${this.name} (${lost} lines lost)`, err);
    }
  }

  private async writeRotating(whole: Buffer): Promise<void> {
    let buf = whole;
    // Rotate on line boundaries: fill the file up to maxBytes, rotate, go on with the rest.
    for (let guard = 0; buf.length > 0 && guard < 100_000; guard++) {
      const { maxBytes } = this.settings;
      let take = buf.length;
      if (maxBytes > 0 && this.sizeBytes + buf.length > maxBytes) {
        const room = maxBytes - this.sizeBytes;
        const cut = room > 0 ? buf.lastIndexOf(10, room - 1) : -1;
        if (cut >= 0) take = cut + 1;
        else if (this.sizeBytes > 0) {
          await this.rotate();
          continue;
        } else {
          take = Math.max(buf.indexOf(10) + 1, 0) || buf.length; // one line longer than maxBytes: alone
        }
      }
      await this.writeAll(buf.subarray(0, take));
      buf = buf.subarray(take);
    }
  }

  private async writeAll(buf: Buffer): Promise<void> {
    this.writes++;
    let off = 0;
    for (let guard = 0; off < buf.length && guard < 100_000; guard++) {
      const fd = this.fd;
      if (fd === null) throw new Error(`${this.name} is not open`);
      try {
        off += await writeAsync(fd, buf, off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        await new Promise((r) => setTimeout(r, RETRY_AGAIN_MS));
      }
    }
    if (off < buf.length) throw new Error(`${this.name} took ${off} of ${buf.length} bytes, then nothing for long`);
    this.sizeBytes += buf.length;
  }

  private async rotate(): Promise<void> {
    if (this.target.kind !== 'file') return;
    const { path } = this.target;
    await this.compressing; // never shift a file that is being compressed
    const rotation: Rotation = { path, keep: this.settings.keep, compress: this.settings.compress };
    this.closeFd();
    const compressed = await rotateFiles(rotation);
    if (!this.tryOpen()) throw new Error(`${this.name} could not be opened again after rotation`);
    if (compressed) {
      this.compressing = compressed.compression
        .catch((err: unknown) => this.hooks.problem(`compressing ${path}.1`, err))
        .finally(() => {
          this.compressing = null;
        });
    }
  }

  /** Opens the file now (a symbolic link or a non-regular file throws STATE_UNSAFE here). */
  open(): void {
    if (this.fd === null) this.openNow();
  }

  private openNow(): void {
    if (this.target.kind !== 'file') return;
    this.fd = openPrivateFile(this.target.path, 'append');
    this.sizeBytes = fstatSync(this.fd).size;
  }

  private reopenNow(): void {
    this.reopenWanted = false;
    this.closeFd();
    this.tryOpen();
  }

  /** Opens the file if it is not; false (reported) when that fails: its lines are dropped until it opens. */
  private tryOpen(): boolean {
    if (this.fd !== null) return true;
    try {
      this.openNow();
      return true;
    } catch (err) {
      this.hooks.problem(`opening ${this.name}`, err);
      return false;
    }
  }

  private dropQueue(): void {
    this.droppedLines += this.queue.reduce((n, t) => n + countLines(t), 0);
    this.queue = [];
    this.queuedBytes = 0;
    this.gapLines = 0;
    this.gapBytes = 0;
  }

  private closeFd(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd === null || this.target.kind !== 'file') return;
    close(fd, (err) => {
      if (err) this.hooks.problem(`closing ${this.name}`, err);
    });
  }
}

function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

function writeAsync(fd: number, buf: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    write(fd, buf, offset, buf.length - offset, null, (err, n) => (err ? reject(err) : resolve(n))),
  );
}
