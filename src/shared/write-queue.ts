// Collects what is written to one socket during a loop turn and hands it over as one write: small
// chunks joined into one buffer (one stream request, one syscall, far cheaper than Node's per-write
// bookkeeping), large payloads passed as they are in one writev instead of being copied again.

import type { Writable } from 'node:stream';

/** Above this many queued bytes the chunks are written as they are instead of joined. */
const JOIN_MAX_BYTES = 16 * 1024;

export class WriteQueue {
  private chunks: Buffer[] = [];
  private bytes = 0;

  /** Queues a chunk; true when the queue was empty (the caller schedules a flush then). */
  push(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    return this.chunks.length === 1;
  }

  /** Writes everything queued to `out` and empties the queue. */
  flushTo(out: Writable): void {
    const chunks = this.chunks;
    const bytes = this.bytes;
    this.clear();
    if (chunks.length === 0) return;
    if (chunks.length === 1) {
      out.write(chunks[0]);
    } else if (bytes <= JOIN_MAX_BYTES) {
      out.write(Buffer.concat(chunks, bytes));
    } else {
      out.cork();
      for (let i = 0; i < chunks.length; i++) out.write(chunks[i]);
      out.uncork();
    }
  }

  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }
}
