// Client side of the control socket: one connection, typed calls, optional streamed log events.
// Used by the CLI commands and the dashboard.

import net from 'node:net';
import { GmsupError, deserializeError } from '../shared/errors.js';
import type { ControlMethod, ControlMethods, ControlResponse, LogLine } from './protocol.js';

export class ControlClient {
  private nextId = 1;
  private buffer = '';
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly logListeners = new Map<number, (line: LogLine) => void>();
  private closedError: Error | null = null;
  private readonly closeListeners: Array<(err: Error) => void> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
  }

  static connect(socketPath: string, timeoutMs = 2000): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new GmsupError('NO_DAEMON', `no daemon answers on ${socketPath} (timed out)`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new ControlClient(socket));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new GmsupError(
            'NO_DAEMON',
            `no daemon is running (control socket ${socketPath}: ${err.code ?? err.message})`,
            { cause: err },
          ),
        );
      });
    });
  }

  call<M extends ControlMethod>(
    method: M,
    params: ControlMethods[M]['params'],
    timeoutMs = 10_000,
  ): Promise<ControlMethods[M]['result']> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new GmsupError('TIMEOUT', `daemon did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as ControlMethods[M]['result']);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  /** Streams log lines (after the initial tail) until the connection closes. */
  followLogs(params: { name?: string; lines?: number }, onLine: (line: LogLine) => void): Promise<LogLine[]> {
    const id = this.nextId;
    this.logListeners.set(id, onLine);
    return this.call('logs', { ...params, follow: true }).then((r) => r.lines);
  }

  onClosed(listener: (err: Error) => void): void {
    if (this.closedError) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      let msg: ControlResponse;
      try {
        msg = JSON.parse(line) as ControlResponse;
      } catch {
        continue;
      }
      if ('event' in msg) {
        this.logListeners.get(msg.id)?.(msg.line);
        continue;
      }
      const waiter = this.waiting.get(msg.id);
      if (!waiter) continue;
      this.waiting.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(deserializeError(msg.error));
    }
  }

  private onClose(): void {
    this.closedError = new GmsupError('NO_DAEMON', 'the daemon closed the control connection');
    for (const w of this.waiting.values()) w.reject(this.closedError);
    this.waiting.clear();
    for (const l of this.closeListeners.splice(0)) l(this.closedError);
  }
}
