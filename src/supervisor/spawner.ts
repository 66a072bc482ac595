// The only file of the daemon that calls child_process: spawns `node dist/worker/main.js` with an IPC
// channel in its own process group, splits its output into lines, signals its whole group.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseChildMessage, type ChildMessage, type ParentMessage } from '../worker/ipc-messages.js';
import { killGroup } from '../shared/kill-group.js';

/** Works from src/supervisor (tsx) and dist/supervisor alike: children always run the built entry. */
export const WORKER_MAIN = fileURLToPath(new URL('../../dist/worker/main.js', import.meta.url));

const MAX_LINE_CHARS = 16 * 1024;

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
}

export interface ChildEvents {
  message: [ChildMessage];
  /** A message that failed its check (what was wrong); it was dropped. */
  'invalid-message': [string];
  line: ['stdout' | 'stderr', string];
  /** Spawn failed (ENOENT cwd, EAGAIN...): no exit follows. */
  error: [Error];
  exit: [number | null, string | null];
}

export interface ChildHandle extends EventEmitter<ChildEvents> {
  readonly pid: number | null;
  /** False once it exited (or failed to spawn). */
  readonly alive: boolean;
  send(msg: ParentMessage): boolean;
  /** Signals the whole process group the child leads. False when it is already gone. */
  signalGroup(signal: NodeJS.Signals): boolean;
}

export interface Spawner {
  spawn(opts: SpawnOptions): ChildHandle;
}

/** Calls `onLine` per complete line; keeps the partial tail; cuts overlong lines. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let tail = '';
  return {
    push(chunk) {
      tail += chunk;
      let nl: number;
      while ((nl = tail.indexOf('\n')) >= 0) {
        onLine(tail.slice(0, nl).replace(/\r$/, ''));
        tail = tail.slice(nl + 1);
      }
      if (tail.length > MAX_LINE_CHARS) {
        onLine(tail);
        tail = '';
      }
    },
    end() {
      if (tail !== '') onLine(tail);
      tail = '';
    },
  };
}

class NodeChild extends EventEmitter<ChildEvents> implements ChildHandle {
  pid: number | null = null;
  private exited = false;
  private readonly proc;

  constructor(opts: SpawnOptions) {
    super();
    // detached: the worker leads its own process group, so a stop reaches the commands it runs too,
    // and a Ctrl-C on the daemon's terminal goes to the daemon alone (which then drains in order).
    this.proc = spawn(process.execPath, [WORKER_MAIN], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
      serialization: 'json',
    });
    this.pid = this.proc.pid ?? null;
    for (const stream of ['stdout', 'stderr'] as const) {
      const split = lineSplitter((l) => this.emit('line', stream, l));
      const s = this.proc[stream];
      s?.setEncoding('utf8');
      s?.on('data', (c: string) => split.push(c));
      s?.on('end', () => split.end());
    }
    this.proc.on('message', (raw) => {
      let msg: ChildMessage;
      try {
        msg = parseChildMessage(raw);
      } catch (err) {
        this.emit('invalid-message', err instanceof Error ? err.message : String(err));
        return;
      }
      this.emit('message', msg);
    });
    this.proc.on('error', (err) => {
      if (this.pid === null && !this.exited) {
        this.exited = true;
        this.emit('error', err);
      }
    });
    this.proc.on('exit', (code, signal) => {
      if (this.exited) return;
      this.exited = true;
      // The leader is gone: make sure nothing it started lingers in its group (no orphans).
      if (this.pid !== null) killGroup(this.pid, 'SIGKILL');
      // 'exit' can come before the last output; let pending reads flush first.
      setImmediate(() => this.emit('exit', code, signal));
    });
    this.proc.channel?.unref();
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(msg: ParentMessage): boolean {
    if (this.exited || !this.proc.connected) return false;
    try {
      return this.proc.send(msg, (err) => {
        if (err) {
          /* the exit event reports the death */
        }
      });
    } catch {
      return false;
    }
  }

  signalGroup(signal: NodeJS.Signals): boolean {
    if (this.pid === null || this.exited) return false;
    return killGroup(this.pid, signal);
  }
}

export const nodeSpawner: Spawner = {
  spawn: (opts) => new NodeChild(opts),
};
