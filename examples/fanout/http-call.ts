// The fan-out worker module (`http_call`): one HTTP call per job over a keep-alive agent holding ONE
// connection per target host, hashing the body as it streams. Retries are the client's (see client.ts).

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { JobContext } from 'gmsup/worker';

export interface HttpCallRequest {
  url: string;
  method: 'GET' | 'POST';
  /** POST body (utf8). */
  body?: string;
  timeoutMs?: number;
}

export interface HttpCallResult {
  status: number;
  bytes: number;
  ms: number;
  sha1: string;
}

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/**
 * maxSockets 1 is per host:port, so a busy host's next call waits for the one connection instead of
 * opening a second; keepAlive reuses it, which is what keeps the per-call CPU cost low.
 */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, scheduling: 'fifo' });

interface Target {
  hostname: string;
  port: number;
  path: string;
}
/** Parsed URLs; bounded so a huge target list cannot grow it without limit. */
const targets = new Map<string, Target>();
const MAX_CACHED_TARGETS = 100_000;

function targetOf(url: string): Target {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new Error(`only http:// URLs are supported, got ${url}`);
    t = { hostname: u.hostname, port: Number(u.port || 80), path: `${u.pathname}${u.search}` };
    if (targets.size >= MAX_CACHED_TARGETS) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/** One call; rejects on a connection error, a timeout, an abort, or a 5xx status. */
export function httpCall(r: HttpCallRequest, signal?: AbortSignal): Promise<HttpCallResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const t = targetOf(r.url);
    const body = r.method === 'POST' ? Buffer.from(r.body ?? '', 'utf8') : null;
    const timeoutMs = r.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(new Error(`aborted: ${r.method} ${r.url}`));
    const timer = setTimeout(() => fail(new Error(`timeout after ${timeoutMs} ms: ${r.method} ${r.url}`)), timeoutMs);
    const req = http.request(
      {
        agent,
        host: t.hostname,
        port: t.port,
        path: t.path,
        method: r.method,
        headers: body ? { 'content-length': body.length } : undefined,
      },
      (res) => {
        const hash = createHash('sha1');
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          hash.update(chunk);
        });
        res.on('error', (err) => fail(err));
        res.on('end', () => {
          if (done) return;
          const status = res.statusCode ?? 0;
          if (status >= 500) return fail(new Error(`HTTP ${status}: ${r.method} ${r.url}`));
          done = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve({ status, bytes, ms: Math.round((performance.now() - started) * 10) / 10, sha1: hash.digest('hex') });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      fail(new Error(`${err.code ?? err.message}: ${r.method} ${r.url}`)),
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body ?? undefined);
  });
}

export function parseCallPayload(payload: Uint8Array): HttpCallRequest {
  const r = JSON.parse(
    Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'),
  ) as HttpCallRequest;
  if (typeof r.url !== 'string') throw new Error('payload needs a "url" string');
  if (r.method !== 'GET' && r.method !== 'POST') throw new Error('payload "method" must be GET or POST');
  return r;
}

/** The worker entry: payload JSON {url, method, body?, timeoutMs?} -> result JSON {status, bytes, ms, sha1}. */
export default async function handle(payload: Buffer, job: JobContext): Promise<string> {
  const res = await httpCall(parseCallPayload(payload), job.signal);
  return `{"status":${res.status},"bytes":${res.bytes},"ms":${res.ms},"sha1":"${res.sha1}"}`;
}
