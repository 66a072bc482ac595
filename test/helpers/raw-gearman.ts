// A raw-socket Gearman peer for conformance tests: sends exact bytes and reads exact replies (packets,
// admin text, close), with deadlines. Knows framing only, so it cannot hide a server's mistakes.

import net from 'node:net';

export const REQ = Buffer.from([0, 0x52, 0x45, 0x51]);
export const RES = Buffer.from([0, 0x52, 0x45, 0x53]);

export interface RawPacket {
  magic: 'REQ' | 'RES' | string;
  type: number;
  payload: Buffer;
  /** The complete bytes as received (header + payload). */
  bytes: Buffer;
}

/** Builds a packet: magic, type, and a payload joined from `args` with NULs (strings are latin1). */
export function packet(type: number, args: Array<string | Buffer> = [], magic: Buffer = REQ): Buffer {
  const parts: Buffer[] = [];
  args.forEach((a, i) => {
    if (i > 0) parts.push(Buffer.from([0]));
    parts.push(typeof a === 'string' ? Buffer.from(a, 'latin1') : a);
  });
  const payload = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  magic.copy(head, 0);
  head.writeUInt32BE(type, 4);
  head.writeUInt32BE(payload.length, 8);
  return Buffer.concat([head, payload]);
}

export class RawConn {
  /** Received bytes not yet consumed, as chunks (concatenated only when a whole frame is there). */
  private chunks: Buffer[] = [];
  private total = 0;
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.total += d.length;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {
      /* close follows */
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.removeListener('error', reject);
        s.setNoDelay(true);
        resolve(new RawConn(s));
      });
      s.once('error', reject);
    });
  }

  /** All buffered bytes as one buffer. */
  private get buf(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.total)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(n: number): Buffer {
    const all = this.buf;
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.total = rest.length;
    return out;
  }

  private describe(): string {
    const b = this.buf;
    const shown = JSON.stringify(b.subarray(0, 200).toString('latin1'));
    return b.length > 200 ? `${shown}... (${b.length} bytes)` : shown;
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until<T>(take: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = take();
      if (v !== undefined) return v;
      if (this.closed) throw new Error(`connection closed while waiting for ${what} (buffered: ${this.describe()})`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (buffered: ${this.describe()})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  req(type: number, ...args: Array<string | Buffer>): void {
    this.send(packet(type, args));
  }

  /** Reads the next binary packet. */
  readPacket(timeoutMs = 5000): Promise<RawPacket> {
    return this.until(
      () => {
        if (this.total < 12) return undefined;
        const first = this.chunks[0];
        const head = first !== undefined && first.length >= 12 ? first : this.buf;
        const size = head.readUInt32BE(8);
        if (this.total < 12 + size) return undefined;
        const bytes = this.consume(12 + size);
        const m = bytes.subarray(0, 4);
        const magic = m.equals(RES) ? 'RES' : m.equals(REQ) ? 'REQ' : m.toString('hex');
        return { magic, type: bytes.readUInt32BE(4), payload: bytes.subarray(12), bytes };
      },
      'a packet',
      timeoutMs,
    );
  }

  /** Reads exactly `n` bytes. */
  readBytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    return this.until(
      () => {
        if (this.total < n) return undefined;
        return this.consume(n);
      },
      `${n} bytes`,
      timeoutMs,
    );
  }

  /** Reads one text line including its `\n` (and `\r` if any). */
  readLine(timeoutMs = 5000): Promise<string> {
    return this.until(
      () => {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) return undefined;
        return this.consume(nl + 1).toString('latin1');
      },
      'a text line',
      timeoutMs,
    );
  }

  /** Reads a list reply up to and including the `.\n` line. */
  async readList(timeoutMs = 5000): Promise<string> {
    let out = '';
    for (;;) {
      const line = await this.readLine(timeoutMs);
      out += line;
      if (line === '.\n') return out;
    }
  }

  /** Sends a text command and reads a list reply (`status`, `workers`, ...). */
  async list(command: string): Promise<string> {
    this.send(`${command}\n`);
    return this.readList();
  }

  /** Sends ECHO_REQ and reads until its ECHO_RES: proves nothing else was queued for us before it. */
  async barrier(): Promise<RawPacket[]> {
    const token = `barrier-${Math.random().toString(36).slice(2)}`;
    this.req(16, token);
    const before: RawPacket[] = [];
    for (;;) {
      const p = await this.readPacket();
      if (p.type === 17 && p.payload.toString('latin1') === token) return before;
      before.push(p);
    }
  }

  /** Resolves true when the peer closes within the deadline. */
  waitClosed(timeoutMs = 5000): Promise<boolean> {
    return this.until(() => (this.closed ? true : undefined), 'close', timeoutMs).catch(() => false);
  }

  get buffered(): Buffer {
    return this.buf;
  }

  close(): void {
    this.socket.destroy();
  }
}
