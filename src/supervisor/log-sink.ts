// Where worker and daemon log lines go: an in-memory ring (for `gmsup logs`), live followers, the
// daemon's own output, and one size-rotated file per worker. Writes are batched per tick.

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogLine } from '../control/protocol.js';

/** Appends to a file; when it passes maxBytes: file -> file.1 -> ... -> file.keep (the oldest dropped). */
export class RotatingFile {
  private fd: number | null = null;
  private sizeBytes = 0;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {}

  write(text: string): void {
    if (this.fd === null) this.open();
    const bytes = Buffer.from(text, 'utf8');
    if (this.sizeBytes > 0 && this.sizeBytes + bytes.length > this.maxBytes) this.rotate();
    writeSync(this.fd!, bytes);
    this.sizeBytes += bytes.length;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a', 0o600);
    this.sizeBytes = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    if (this.keep <= 0) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${this.keep}`, { force: true });
      for (let i = this.keep - 1; i >= 1; i--) {
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.open();
  }
}

export interface LogSinkOptions {
  /** Per-worker log file path, or null for none. */
  fileFor: (worker: string) => string | null;
  maxBytes: number;
  keep: number;
  /** The daemon's own output (stdout in the foreground, daemon.log when detached). */
  out: (text: string) => void;
  ringSize?: number;
}

export class LogSink {
  private readonly ring: LogLine[] = [];
  private readonly followers = new Set<(line: LogLine) => void>();
  private readonly files = new Map<string, RotatingFile>();
  private pendingOut: string[] = [];
  private flushScheduled = false;

  constructor(private readonly opts: LogSinkOptions) {}

  /** A daemon line; `worker` tags lines about one worker so `gmsup logs NAME` shows them too. */
  daemon(text: string, worker: string | null = null): void {
    this.add({ atMs: Date.now(), source: 'daemon', worker, stream: 'daemon', text });
  }

  worker(worker: string, index: number, pid: number | null, stream: 'stdout' | 'stderr', text: string): void {
    this.add({ atMs: Date.now(), source: `${worker}/${index}/${pid ?? '-'}`, worker, stream, text });
  }

  tail(name: string | undefined, lines: number): LogLine[] {
    const match = name ? this.ring.filter((l) => l.worker === name) : this.ring;
    return match.slice(-lines);
  }

  follow(listener: (line: LogLine) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  close(): void {
    this.flush();
    for (const f of this.files.values()) f.close();
    this.files.clear();
    this.followers.clear();
  }

  private add(line: LogLine): void {
    this.ring.push(line);
    const max = this.opts.ringSize ?? 2000;
    if (this.ring.length > max) this.ring.splice(0, this.ring.length - max);
    for (const f of this.followers) {
      try {
        f(line);
      } catch {
        /* a broken follower must not break logging */
      }
    }
    const stamp = new Date(line.atMs).toISOString();
    const text = `${stamp} ${line.source}${line.stream === 'stderr' ? ' !' : ''} ${line.text}\n`;
    this.pendingOut.push(text);
    if (line.worker !== null && line.stream !== 'daemon') {
      try {
        this.fileFor(line.worker)?.write(text);
      } catch {
        /* disk full etc.: keep supervising */
      }
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pendingOut.length === 0) return;
    const text = this.pendingOut.join('');
    this.pendingOut = [];
    this.opts.out(text);
  }

  private fileFor(worker: string): RotatingFile | null {
    let f = this.files.get(worker);
    if (!f) {
      const path = this.opts.fileFor(worker);
      if (!path) return null;
      f = new RotatingFile(path, this.opts.maxBytes, this.opts.keep);
      this.files.set(worker, f);
    }
    return f;
  }
}
