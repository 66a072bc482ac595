// The last N log lines in memory (what `gmsup logs` and the dashboard get from a running daemon). A
// worker's output is kept as the pieces of bytes it came in, split and decoded only when someone asks,
// so a worker printing 50,000 lines a second costs nothing per line here.

import type { LogLine } from '../control/protocol.js';

/** Some lines of one instance's output as they came: `lines` lines in `bytes` (see spawner.ts lineAligner). */
interface Piece {
  atMs: number;
  source: string;
  worker: string;
  stream: 'stdout' | 'stderr';
  bytes: Buffer;
  lines: number;
}

type Entry = { line: LogLine; lines: 1 } | { piece: Piece; lines: number };

/** The lines of a piece, decoded (a `\r` before a `\n` is not part of the line). */
function piecesLines(p: Piece): LogLine[] {
  const text = p.bytes.toString('utf8');
  const parts = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return parts.map((t) => ({
    atMs: p.atMs,
    source: p.source,
    worker: p.worker,
    stream: p.stream,
    text: t.endsWith('\r') ? t.slice(0, -1) : t,
  }));
}

/** At least the last `size` lines (whole pieces), oldest first; O(1) per push. */
export class LogRing {
  private entries: Entry[] = [];
  /** Index of the oldest live entry in `entries` (dropped ones are cut off in batches). */
  private head = 0;
  private lines = 0;

  constructor(readonly size: number) {}

  push(line: LogLine): void {
    this.add({ line, lines: 1 });
  }

  pushPiece(piece: Piece): void {
    if (piece.lines > 0) this.add({ piece, lines: piece.lines });
  }

  /** The newest `n` lines of `worker` (all when undefined), oldest first. */
  last(n: number, worker: string | undefined): LogLine[] {
    const out: LogLine[] = [];
    for (let i = this.entries.length - 1; i >= this.head && out.length < n; i--) {
      const e = this.entries[i];
      if (!e) continue;
      if ('line' in e) {
        if (worker === undefined || e.line.worker === worker) out.push(e.line);
      } else if (worker === undefined || e.piece.worker === worker) {
        const lines = piecesLines(e.piece);
        for (let k = lines.length - 1; k >= 0 && out.length < n; k--) out.push(lines[k] as LogLine);
      }
    }
    return out.reverse();
  }

  private add(e: Entry): void {
    this.entries.push(e);
    this.lines += e.lines;
    // Drop whole entries from the front while the rest still holds `size` lines.
    for (let first = this.entries[this.head]; first && this.lines - first.lines >= this.size; ) {
      this.lines -= first.lines;
      this.entries[this.head] = undefined as unknown as Entry;
      this.head++;
      first = this.entries[this.head];
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
