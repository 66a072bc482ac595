// Reading the daemon's log files for `gmsup logs` (docs/logs.md is the format): parse a line in any
// format the daemon writes, read the last N lines of a file from its end, and follow files across
// rotation (a new inode at the path) and truncation. No daemon needed.

import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseLogLine } from '../control/log-format.js';
import type { LogLine } from '../control/protocol.js';
import { daemonLogPath } from '../shared/state-dir.js';

const LEGACY_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) (.*)$/;

/**
 * One log line as a LogLine: the formats the daemon writes (control/log-format.ts), else gmsup 0.1.0's
 * `TIME SOURCE[ !] TEXT`. Null for a line that is none of them (a partial line, a crash trace).
 */
export function parseLogText(line: string): LogLine | null {
  const current = parseLogLine(line);
  if (current !== null || line.startsWith('{')) return current;
  const m = LEGACY_RE.exec(line);
  if (!m) return null;
  const [, stamp = '', source = '', rest = ''] = m;
  const atMs = Date.parse(stamp);
  // 0.1.0: `SOURCE ! TEXT` was stderr; daemon lines named their worker only in the text (`name/i/pid ...`).
  const stderr = source !== 'daemon' && rest.startsWith('! ');
  const stream: LogLine['stream'] = source === 'daemon' ? 'daemon' : stderr ? 'stderr' : 'stdout';
  const text = stderr ? rest.slice(2) : rest;
  const worker =
    source === 'daemon'
      ? (/^([A-Za-z0-9_][A-Za-z0-9_.-]*)[/:]/.exec(text)?.[1] ?? null)
      : (source.split('/')[0] ?? null);
  return { atMs, source, worker, stream, text };
}

/** The log files of a state directory: the daemon's and one per worker (or only NAME's). */
export function logFilesOf(stateDir: string, name: string | undefined): string[] {
  const files = [daemonLogPath(stateDir)];
  const dir = join(stateDir, 'logs');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.log'));
  } catch {
    // no worker has written a line yet
  }
  for (const f of names.sort()) if (name === undefined || f === `${name}.log`) files.push(join(dir, f));
  return files;
}

/** Whether `line` belongs in the output for worker `name` (undefined: every line). */
export function wanted(line: LogLine, file: string, stateDir: string, name: string | undefined): boolean {
  // 0.1.0 wrote every worker line into daemon.log as well (detached): read those from the worker files.
  if (file === daemonLogPath(stateDir) && line.stream !== 'daemon') return false;
  return name === undefined || line.worker === name;
}

const BLOCK_BYTES = 64 * 1024;
/** Reading back further than this for a tail is not worth it (rotation keeps files near max_size). */
const MAX_TAIL_SCAN_BYTES = 64 * 1024 * 1024;

/**
 * The last `count` complete lines of a file that `keep` accepts (fewer when it has fewer), read backwards
 * from its end; `keep` lets a reader for one worker look past the lines of others.
 */
export function lastLines(path: string, count: number, keep: (line: string) => boolean = () => true): string[] {
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    let start = size;
    let text = '';
    while (start > 0 && size - start < MAX_TAIL_SCAN_BYTES) {
      const len = Math.min(BLOCK_BYTES, start);
      start -= len;
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, start);
      text = buf.toString('utf8') + text;
      // The first line may be cut in the middle: only the complete ones after it count.
      if (text.split('\n').slice(1, -1).filter(keep).length >= count) break;
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: nothing, or a line still being written
    if (start > 0) lines.shift(); // cut in the middle
    return lines.filter(keep).slice(-count);
  } finally {
    closeSync(fd);
  }
}

interface Followed {
  fd: number;
  ino: number;
  pos: number;
  partial: string;
  /** Keeps a UTF-8 sequence cut by a read whole for the next one. */
  decoder: StringDecoder;
}

/** Reads what is appended to files; reopens a file whose path now names another inode (rotated). */
export class FileFollower {
  private readonly open = new Map<string, Followed>();

  /** Start at the current end of each file (what is there now was printed by the tail). */
  constructor(paths: readonly string[]) {
    for (const p of paths) this.track(p, true);
  }

  /** Also follow `path` from its start if it is new (a worker's first line), from its end otherwise. */
  track(path: string, atEnd: boolean): void {
    if (this.open.has(path)) return;
    try {
      const fd = openSync(path, 'r');
      const st = fstatSync(fd);
      this.open.set(path, {
        fd,
        ino: st.ino,
        pos: atEnd ? st.size : 0,
        partial: '',
        decoder: new StringDecoder('utf8'),
      });
    } catch {
      // not there yet: the next poll tries again
    }
  }

  /** New complete lines per file since the last poll, at most `maxBytes` read per file. */
  poll(paths: readonly string[], maxBytes = 1024 * 1024): Array<{ file: string; line: string }> {
    const out: Array<{ file: string; line: string }> = [];
    for (const p of paths) if (!this.open.has(p)) this.track(p, false);
    for (const [path, f] of this.open) {
      let current: { ino: number; size: number } | null = null;
      try {
        current = statSync(path);
      } catch {
        current = null; // renamed away and not yet recreated
      }
      if (current && current.ino === f.ino && current.size < f.pos) f.pos = 0; // truncated in place
      for (const line of this.readNew(f, maxBytes)) out.push({ file: path, line });
      if (current && current.ino !== f.ino) {
        // Rotated: the old file was drained above; go on with the new one from its start.
        closeSync(f.fd);
        this.open.delete(path);
        this.track(path, false);
        const next = this.open.get(path);
        if (next) for (const line of this.readNew(next, maxBytes)) out.push({ file: path, line });
      }
    }
    return out;
  }

  close(): void {
    for (const f of this.open.values()) closeSync(f.fd);
    this.open.clear();
  }

  private readNew(f: Followed, maxBytes: number): string[] {
    const size = fstatSync(f.fd).size;
    if (size <= f.pos) return [];
    const len = Math.min(maxBytes, size - f.pos);
    const buf = Buffer.alloc(len);
    const n = readSync(f.fd, buf, 0, len, f.pos);
    f.pos += n;
    const lines = (f.partial + f.decoder.write(buf.subarray(0, n))).split('\n');
    f.partial = lines.pop() ?? '';
    return lines;
  }
}
