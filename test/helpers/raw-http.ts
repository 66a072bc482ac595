// Exact HTTP bytes for compatibility tests: send a request as written (no client normalising it),
// collect everything until the server closes or a deadline passes, and split the bytes into responses.

import net from 'node:net';

export interface RawExchange {
  raw: Buffer;
  /** The server closed the connection (false: the deadline passed first). */
  closed: boolean;
}

export function rawExchange(port: number, request: string | Buffer, timeoutMs = 3000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('close', () => finish(true));
    socket.once('error', () => finish(true));
    socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
  });
}

export interface RawResponse {
  version: string;
  status: number;
  reason: string;
  /** Header names lower-cased, in order. */
  headers: Array<[string, string]>;
  body: Buffer;
}

export function header(r: RawResponse, name: string): string | undefined {
  return r.headers.find(([k]) => k === name.toLowerCase())?.[1];
}

/** Every complete response in `raw` (bodies by Content-Length; without one, the rest of the bytes). */
export function parseResponses(raw: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const end = raw.indexOf('\r\n\r\n', pos);
    if (end < 0) break;
    const lines = raw.toString('latin1', pos, end).split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
    if (!m) break;
    const headers = lines.slice(1).map((l): [string, string] => {
      const i = l.indexOf(':');
      return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
    });
    const cl = headers.find(([k]) => k === 'content-length')?.[1];
    const start = end + 4;
    const stop = cl === undefined ? raw.length : Math.min(raw.length, start + Number(cl));
    out.push({ version: m[1]!, status: Number(m[2]), reason: m[3]!, headers, body: raw.subarray(start, stop) });
    pos = stop;
  }
  return out;
}
