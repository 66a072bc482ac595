// PURE conversions between what a handler returns or throws and the bytes sent to the job server.

/** A returned string/Buffer/Uint8Array is the result as is; undefined is empty; anything else is JSON. */
export function resultBytes(value: unknown): string | Uint8Array {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (value === undefined) return '';
  const json = JSON.stringify(value);
  return json ?? '';
}

/** The exception text a client sees for a thrown value. */
export function exceptionText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** The last `maxBytes` bytes of a byte stream, trimmed, decoded as UTF-8 (stderr tail of a command). */
export function tailText(chunks: Buffer[], maxBytes: number): string {
  const all = Buffer.concat(chunks);
  const tail = all.length > maxBytes ? all.subarray(all.length - maxBytes) : all;
  return tail.toString('utf8').trim();
}

/** Keeps only the last `maxBytes` of appended chunks (bounded memory for stderr). */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    // Drop whole chunks from the front while the rest still holds maxBytes; the last chunk always stays.
    while (this.chunks.length > 1) {
      const oldest = this.chunks[0]!; // exists: length > 1
      if (this.bytes - oldest.length < this.maxBytes) break;
      this.bytes -= oldest.length;
      this.chunks.shift();
    }
  }

  text(): string {
    return tailText(this.chunks, this.maxBytes);
  }
}
