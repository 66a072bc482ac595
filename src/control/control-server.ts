// Daemon side of the control socket: a Unix socket (mode 0600) speaking JSON lines; validates each
// request and calls a ControlHandler. Detects a live daemon (ALREADY_RUNNING) vs a stale socket file.

import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { GmsupError, serializeError } from '../shared/errors.js';
import type { ControlMethod, ControlMethods, LogLine } from './protocol.js';
import { isControlMethod, readParams } from './request-params.js';

export type ControlHandler = {
  [M in ControlMethod]: (
    params: ControlMethods[M]['params'],
  ) => Promise<ControlMethods[M]['result']> | ControlMethods[M]['result'];
} & {
  /** For `logs` with follow: subscribe; returns the unsubscribe function. */
  followLogs(name: string | undefined, onLine: (line: LogLine) => void): () => void;
};

const MAX_REQUEST_CHARS = 64 * 1024;

/** True when something answers on the socket path. */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

export class ControlServer {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly path: string,
  ) {}

  static async listen(path: string, handler: ControlHandler): Promise<ControlServer> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (await socketAnswers(path)) {
      throw new GmsupError('ALREADY_RUNNING', `a daemon is already running for this config (control socket ${path})`);
    }
    // Nothing answers: a socket file left by a killed daemon. Replace it.
    rmSync(path, { force: true });
    const server = net.createServer();
    const cs = new ControlServer(server, path);
    server.on('connection', (sock) => cs.onConnection(sock, handler));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new GmsupError('ALREADY_RUNNING', `control socket ${path} is in use`, { cause: err })
            : new GmsupError('INTERNAL', `cannot listen on ${path}: ${err.message}`, { cause: err }),
        ),
      );
      // umask-independent: listen, then restrict before anyone can be told the path.
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
    return cs;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) =>
      this.server.close(() => {
        rmSync(this.path, { force: true });
        resolve();
      }),
    );
  }

  private onConnection(sock: net.Socket, handler: ControlHandler): void {
    this.sockets.add(sock);
    const unsubs: Array<() => void> = [];
    sock.on('close', () => {
      this.sockets.delete(sock);
      for (const u of unsubs) u();
    });
    sock.on('error', () => {}); // a client that went away: its 'close' follows and cleans up
    sock.setEncoding('utf8');
    let buffer = '';
    const reply = (obj: unknown) => {
      if (!sock.destroyed) sock.write(`${JSON.stringify(obj)}\n`);
    };
    sock.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_CHARS && buffer.indexOf('\n') < 0) {
        sock.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line !== '') this.handle(line, handler, reply, unsubs);
      }
    });
  }

  private handle(line: string, handler: ControlHandler, reply: (o: unknown) => void, unsubs: Array<() => void>): void {
    const fail = (id: number, err: unknown) => reply({ id, ok: false, error: serializeError(err) });
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      fail(0, new GmsupError('USAGE', 'request is not JSON'));
      return;
    }
    if (typeof req !== 'object' || req === null || Array.isArray(req)) {
      fail(0, new GmsupError('USAGE', 'request must be a JSON object with id, method and params'));
      return;
    }
    const { id: rawId, method, params: rawParams } = req as { id?: unknown; method?: unknown; params?: unknown };
    const id = typeof rawId === 'number' ? rawId : 0;
    if (!isControlMethod(method)) {
      fail(id, new GmsupError('USAGE', `unknown control method ${JSON.stringify(method)}`));
      return;
    }
    let params: ControlMethods[typeof method]['params'];
    try {
      params = readParams(method, rawParams);
    } catch (err) {
      fail(id, err);
      return;
    }
    Promise.resolve()
      .then(() => (handler[method] as (p: typeof params) => unknown)(params))
      .then(
        (result) => {
          reply({ id, ok: true, result });
          if (method === 'logs') {
            const logParams = params as ControlMethods['logs']['params'];
            if (logParams.follow)
              unsubs.push(handler.followLogs(logParams.name, (l) => reply({ id, event: 'log', line: l })));
          }
        },
        (err: unknown) => fail(id, err),
      );
  }
}
