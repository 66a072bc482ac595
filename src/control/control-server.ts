// Daemon side of the control socket: a Unix socket (mode 0600) speaking JSON lines; validates each
// request and calls a ControlHandler. Detects a live daemon (ALREADY_RUNNING) vs a stale socket file.

import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { GmsupError, serializeError } from '../shared/errors.js';
import type { ControlMethod, ControlMethods, ControlRequest, LogLine } from './protocol.js';

export type ControlHandler = {
  [M in ControlMethod]: (
    params: ControlMethods[M]['params'],
  ) => Promise<ControlMethods[M]['result']> | ControlMethods[M]['result'];
} & {
  /** For `logs` with follow: subscribe; returns the unsubscribe function. */
  followLogs(name: string | undefined, onLine: (line: LogLine) => void): () => void;
};

const METHODS: ReadonlySet<string> = new Set<ControlMethod>([
  'status',
  'stop',
  'reload',
  'plan',
  'restart',
  'scale',
  'stop-worker',
  'start-worker',
  'logs',
]);
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
    sock.on('error', () => {});
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
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
    } catch {
      reply({ id: 0, ok: false, error: serializeError(new GmsupError('USAGE', 'request is not JSON')) });
      return;
    }
    const id = typeof req.id === 'number' ? req.id : 0;
    if (typeof req.method !== 'string' || !METHODS.has(req.method)) {
      reply({
        id,
        ok: false,
        error: serializeError(new GmsupError('USAGE', `unknown control method ${JSON.stringify(req.method)}`)),
      });
      return;
    }
    const params = (typeof req.params === 'object' && req.params !== null ? req.params : {}) as never;
    const method = req.method;
    Promise.resolve()
      .then(() => (handler[method] as (p: never) => unknown)(params))
      .then(
        (result) => {
          reply({ id, ok: true, result });
          if (method === 'logs' && (params as { follow?: boolean }).follow) {
            const name = (params as { name?: string }).name;
            unsubs.push(handler.followLogs(name, (l) => reply({ id, event: 'log', line: l })));
          }
        },
        (err: unknown) => reply({ id, ok: false, error: serializeError(err) }),
      );
  }
}
