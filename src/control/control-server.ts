// Daemon side of the control socket: a Unix socket (mode 0600) speaking JSON lines; validates each
// request and calls a ControlHandler. Detects a live daemon (ALREADY_RUNNING) vs a stale socket file.

import { chmodSync, lstatSync, mkdirSync, rmSync, type Stats } from 'node:fs';
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
/**
 * What may wait in a follower's socket before its log lines are dropped: a `gmsup logs -f` that reads
 * more slowly than a chatty worker prints must not grow the daemon's memory without bound.
 */
const FOLLOW_BACKLOG_BYTES = 4 * 1024 * 1024;

/** Sends a follower its lines while its backlog is small; counts the rest and says so when it catches up. */
function followSender(id: number, reply: (o: unknown) => void, sock: net.Socket): (line: LogLine) => void {
  let dropped = 0;
  return (line) => {
    if (sock.writableLength > FOLLOW_BACKLOG_BYTES) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      const text = `gmsup: dropped ${dropped} lines here: this follower read more slowly than they came`;
      reply({ id, event: 'log', line: { atMs: Date.now(), source: 'daemon', worker: null, stream: 'daemon', text } });
      dropped = 0;
    }
    reply({ id, event: 'log', line });
  };
}
/** sockaddr_un.sun_path holds 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

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

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Unix socket paths are limited to about 107 bytes: say so rather than EINVAL. */
function listenWhy(err: NodeJS.ErrnoException, path: string): string {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES)
    return `the path is ${Buffer.byteLength(path)} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket allows`;
  return err.code ?? err.message;
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
    // Nothing answers: a socket file left by a killed daemon. Replace it, but nothing else.
    const existing = lstatOrNull(path);
    if (existing && !existing.isSocket())
      throw new GmsupError(
        'STATE_DIR',
        `${path} exists and is not a socket (${existing.isDirectory() ? 'a directory' : 'a file'}): ` +
          'remove it, or move the state directory (state_dir, GMSUP_STATE_DIR)',
      );
    rmSync(path, { force: true });
    const server = net.createServer();
    const cs = new ControlServer(server, path);
    server.on('connection', (sock) => cs.onConnection(sock, handler));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new GmsupError('ALREADY_RUNNING', `control socket ${path} is in use`, { cause: err })
            : new GmsupError('STATE_DIR', `cannot listen on the control socket ${path}: ${listenWhy(err, path)}`, {
                cause: err,
              }),
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
        if (line !== '') this.handle(line, handler, reply, unsubs, sock);
      }
    });
  }

  private handle(
    line: string,
    handler: ControlHandler,
    reply: (o: unknown) => void,
    unsubs: Array<() => void>,
    sock: net.Socket,
  ): void {
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
            if (logParams.follow) unsubs.push(handler.followLogs(logParams.name, followSender(id, reply, sock)));
          }
        },
        (err: unknown) => fail(id, err),
      );
  }
}
