// The optional HTTP listener on Node's http module: bearer token, routing, request bodies with a size
// limit, and each endpoint's answer. Submissions go through the job server's local gateway, so they
// behave exactly like binary-protocol submissions.

import http from 'node:http';
import type net from 'node:net';
import { PacketType as T } from '../protocol/packet-types.js';
import type { LocalGateway } from '../server/index.js';
import { GmsupError } from '../shared/errors.js';
import { formatHostPort } from '../shared/host-port.js';
import { VERSION } from '../shared/version.js';
import { checkHttpExposure, tokenMatches } from './auth.js';
import { healthAnswer, jobStatusAnswer, metricsAnswer, type SnapshotProvider, statusAnswer } from './own-endpoints.js';
import { type Answer, errorAnswer, gearmandAnswer, jsonOutcomeAnswer, RETRY_AFTER_S } from './render.js';
import { type Route, routeLabel, routeOf } from './routes.js';
import { parseSubmitOptions } from './submit-options.js';
import { queryStatus, submit } from './submission.js';

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_JOB_TIMEOUT_MS = 60_000;
/** What a foreground answer may hold (WORK_DATA + result): the server's own per-peer output limit. */
const MAX_COLLECTED_BYTES = 256 * 1024 * 1024;

export interface HttpListenerOptions {
  host: string;
  /** 0 = a free port. */
  port: number;
  /** Bearer token every request must carry; null = none (only allowed on a loopback address). */
  token: string | null;
  gateway: LocalGateway;
  /** Set when the daemon hosts the listener: /status answers this, /metrics adds its worker families. */
  snapshot?: SnapshotProvider;
  /** Largest request body (workload) accepted; default 16 MiB. */
  maxBodyBytes?: number;
  /** How long a foreground request waits for its job unless it asks otherwise; default 60 s. */
  jobTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface HttpListener {
  host: string;
  port: number;
  address: string;
  close(): Promise<void>;
}

type Body = { ok: true; body: Buffer } | { ok: false; answer: Answer | null };

function socketFd(socket: net.Socket): number {
  return (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
}

function peerIp(socket: net.Socket): string {
  const ip = socket.remoteAddress ?? '-';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export async function startHttpListener(opts: HttpListenerOptions): Promise<HttpListener> {
  checkHttpExposure(opts.host, opts.token, 'HTTP listener');
  const gw = opts.gateway;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const jobTimeoutMs = opts.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const answered = new Map<string, number>();
  let inFlight = 0;

  const server = http.createServer((req, res) => {
    inFlight++;
    let label = 'unauthorized';
    res.once('close', () => inFlight--);
    res.once('finish', () => {
      const key = `${label}\t${res.statusCode}`;
      answered.set(key, (answered.get(key) ?? 0) + 1);
    });
    const send = (a: Answer): void => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(a.status, { ...a.headers, 'Content-Length': String(a.body.length), Server: `gmsup/${VERSION}` });
      res.end(a.body);
    };
    if (opts.token !== null && !tokenMatches(req.headers.authorization, opts.token)) {
      const bad = req.headers.authorization !== undefined;
      const challenge = bad ? 'Bearer realm="gmsup", error="invalid_token"' : 'Bearer realm="gmsup"';
      req.resume();
      send(
        errorAnswer('v1', 401, bad ? 'wrong bearer token' : 'a bearer token is required', {
          'WWW-Authenticate': challenge,
        }),
      );
      return;
    }
    const route = routeOf(req.method ?? 'GET', req.url ?? '/');
    label = routeLabel(route);
    handle(req, res, route).then(send, (err: unknown) => {
      const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
      opts.log?.(`http: ${req.method} ${req.url}: internal error: ${why}`);
      send(errorAnswer('v1', 500, 'internal error (logged by the server)'));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, route: Route): Promise<Answer> {
    const peer = { ip: peerIp(req.socket), fd: socketFd(req.socket) };
    switch (route.kind) {
      case 'metrics':
        req.resume();
        return metricsAnswer(gw, VERSION, { answered, inFlight }, opts.snapshot);
      case 'status':
        req.resume();
        return statusAnswer(gw, VERSION, opts.snapshot);
      case 'healthz':
        req.resume();
        return healthAnswer(gw);
      case 'job-status':
        req.resume();
        return jobStatusAnswer(await queryStatus(gw, T.GET_STATUS, route.handle, peer), false);
      case 'unique-status':
        req.resume();
        return jobStatusAnswer(await queryStatus(gw, T.GET_STATUS_UNIQUE, route.unique, peer), true);
      case 'refused': {
        req.resume();
        const extra: Record<string, string> = route.allow === undefined ? {} : { Allow: route.allow };
        return errorAnswer(route.api, route.status, route.message, extra);
      }
      case 'submit':
        break;
    }
    const parsed = parseSubmitOptions(route.api, route.fn, req.headers, route.query, jobTimeoutMs);
    if (!parsed.ok) {
      req.resume();
      return errorAnswer(route.api, 400, parsed.message);
    }
    // gearmand submits an empty workload for GET (a body, if any, is ignored).
    let body: Body;
    if (route.method === 'GET') {
      req.resume();
      body = { ok: true, body: Buffer.alloc(0) };
    } else {
      body = await readBody(req);
    }
    if (!body.ok) {
      if (body.answer === null) return errorAnswer(route.api, 400, 'the request body was cut off');
      res.setHeader('Connection', 'close'); // the rest of an oversized body is not read
      return body.answer.status === 413 ? errorAnswer(route.api, 413, body.answer.body.toString().trim()) : body.answer;
    }
    if (!gw.accepting()) {
      const why = 'the job server is shutting down and accepts no jobs';
      return errorAnswer(route.api, 503, why, { 'Retry-After': String(RETRY_AFTER_S) });
    }
    const call = submit(gw, parsed.value, body.body, peer, MAX_COLLECTED_BYTES);
    res.once('close', () => {
      if (!res.writableFinished) call.clientGone();
    });
    const outcome = await call.outcome;
    if (outcome === null) return errorAnswer(route.api, 499, 'client closed the request');
    return route.api === 'v1' ? jsonOutcomeAnswer(outcome, parsed.value.forceBase64) : gearmandAnswer(outcome);
  }

  function readBody(req: http.IncomingMessage): Promise<Body> {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const tooLarge = (): Body => ({
      ok: false,
      answer: {
        status: 413,
        headers: {},
        body: Buffer.from(`the request body is larger than the limit of ${maxBodyBytes} bytes`),
      },
    });
    if (declared > maxBodyBytes) return Promise.resolve(tooLarge());
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          req.off('data', onData);
          req.pause();
          resolve(tooLarge());
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => resolve({ ok: true, body: Buffer.concat(chunks, size) }));
      req.once('error', () => resolve({ ok: false, answer: null }));
      req.once('aborted', () => resolve({ ok: false, answer: null }));
    });
  }

  server.on('clientError', (err, socket) => {
    // Node answers a malformed request with 400 itself; this keeps a reset from going unlogged.
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') opts.log?.(`http: bad request: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = formatHostPort({ host: opts.host, port: opts.port });
      const code = err.code === 'EADDRINUSE' ? 'ALREADY_RUNNING' : 'INTERNAL';
      const why = err.code === 'EADDRINUSE' ? 'the address is already in use' : err.message;
      reject(new GmsupError(code, `cannot listen for HTTP on ${where}: ${why}`, { cause: err }));
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  server.on('error', (err) => opts.log?.(`http listener error: ${err.message}`));
  const port = (server.address() as net.AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    host: opts.host,
    port,
    address: formatHostPort({ host: opts.host, port }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still waiting for a job are cut: their in-process connections close with the sockets.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
