// Test helpers for the worker runtime: start either job server (embedded or real gearmand) on a
// loopback port, submit through PHP's GearmanClient, and run dist/worker/main.js as the daemon does.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, type TestContext } from 'node:test';
import { GearmanClient, adminStatus } from '../../../src/client/index.js';
import { runWorker, type WorkerHandle, type WorkerOptions } from '../../../src/worker/index.js';
import { startJobServer } from '../../../src/server/index.js';
import { startGearmand } from '../../helpers/gearmand.js';
import { skipUnless } from '../../helpers/external.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { WorkerSpec } from '../../../src/worker/spec.js';
import type { ChildMessage } from '../../../src/worker/ipc-messages.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'workers');
export const WORKER_MAIN = join(ROOT, 'dist', 'worker', 'main.js');

export type ServerKind = 'embedded' | 'gearmand';

export interface TestServer {
  kind: ServerKind;
  port: number;
  address: string;
  stop(): Promise<void>;
}

interface ServerCase {
  kind: ServerKind;
  skip: string | false;
}

/** Both job servers; gearmand is skipped (with an install hint) when missing. */
export const SERVER_KINDS: readonly [embedded: ServerCase, gearmand: ServerCase] = [
  { kind: 'embedded', skip: false },
  { kind: 'gearmand', skip: skipUnless('gearmand') },
];

export async function startServer(kind: ServerKind, port?: number): Promise<TestServer> {
  if (kind === 'gearmand') {
    const g = await startGearmand([], port);
    return { kind, port: g.port, address: `127.0.0.1:${g.port}`, stop: g.stop };
  }
  const s = await startJobServer({ host: '127.0.0.1', port: port ?? 0 });
  return { kind, port: s.port, address: `127.0.0.1:${s.port}`, stop: () => s.close() };
}

export async function serverFor(t: TestContext, kind: ServerKind): Promise<TestServer> {
  const s = await startServer(kind);
  t.after(() => s.stop());
  return s;
}

/**
 * For one describe block: a job server of `kind` and a client, started before the tests and stopped
 * after them with every worker the block started. `start` resolves once the server lists the worker.
 */
export function workerSuite(kind: ServerKind, runOpts: WorkerOptions = {}) {
  let server: TestServer | null = null;
  let client: GearmanClient | null = null;
  const workers: WorkerHandle[] = [];
  before(async () => {
    server = await startServer(kind);
    client = new GearmanClient({ servers: [server.address] });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.force()));
    client?.close();
    await server?.stop();
  });
  return {
    get server(): TestServer {
      return server!;
    },
    get client(): GearmanClient {
      return client!;
    },
    /** exceptions: true by default so exception-text tests hold on gearmand too (auto mode has its own test). */
    async start(overrides: Partial<WorkerSpec> & Pick<WorkerSpec, 'function'>): Promise<WorkerHandle> {
      const w = await runWorker(spec({ exceptions: true, servers: [server!.address], ...overrides }), runOpts);
      workers.push(w);
      const fn = overrides.function;
      await waitFor(
        async () => (await adminStatus(server!.address)).find((s) => s.name === fn && s.availableWorkers > 0),
        { what: `${fn} registered` },
      );
      return w;
    },
  };
}

export function spec(overrides: Partial<WorkerSpec> & Pick<WorkerSpec, 'function' | 'servers'>): WorkerSpec {
  return {
    name: overrides.function,
    kind: 'module',
    concurrency: 1,
    timeoutMs: null,
    env: {},
    cwd: ROOT,
    maxJobs: null,
    stopTimeoutMs: 5000,
    ...overrides,
  };
}

export interface PhpTaskResult {
  events: Array<[string, string]>;
  rc: number;
}

/**
 * Submits one foreground task with PHP's GearmanClient (libgearman) and records every callback:
 * status "n/d", data, warning, complete, exception, fail. PHP always turns exceptions on.
 */
export function phpSubmit(port: number, fn: string, payload: string, timeoutMs = 10_000): Promise<PhpTaskResult> {
  const script = `
    $c = new GearmanClient(); $c->addServer('127.0.0.1', ${port}); $c->setTimeout(${timeoutMs});
    $ev = [];
    $c->setStatusCallback(function($t) use (&$ev) {
      $ev[] = ['status', $t->taskNumerator() . '/' . $t->taskDenominator()];
    });
    $c->setDataCallback(function($t) use (&$ev) { $ev[] = ['data', $t->data()]; });
    $c->setWarningCallback(function($t) use (&$ev) { $ev[] = ['warning', $t->data()]; });
    $c->setCompleteCallback(function($t) use (&$ev) { $ev[] = ['complete', $t->data()]; });
    $c->setExceptionCallback(function($t) use (&$ev) { $ev[] = ['exception', $t->data()]; });
    $c->setFailCallback(function($t) use (&$ev) { $ev[] = ['fail', '']; });
    $c->addTask(${JSON.stringify(fn)}, ${JSON.stringify(payload)});
    $ok = $c->runTasks();
    echo json_encode(['events' => $ev, 'rc' => $c->returnCode()]);`;
  return new Promise((resolve, reject) => {
    const child = spawn('php', ['-r', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
    child.once('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out) as PhpTaskResult);
      } catch {
        reject(new Error(`php client failed: ${out} ${err}`));
      }
    });
  });
}

/** `gearman -f FN PAYLOAD` (the libgearman CLI client); returns its stdout. */
export function gearmanCliSubmit(port: number, fn: string, payload: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('gearman', ['-h', '127.0.0.1', '-p', String(port), '-f', fn, payload], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gearman -f ${fn} timed out`));
    }, timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** A worker process started the daemon's way: dist/worker/main.js, IPC channel, own process group. */
export class WorkerChild {
  readonly messages: ChildMessage[] = [];
  readonly child: ChildProcess;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  stderr = '';

  constructor(env: Record<string, string> = {}) {
    this.child = fork(WORKER_MAIN, [], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ...env },
    });
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.child.on('message', (m) => this.messages.push(m as ChildMessage));
    this.child.once('exit', (code, signal) => (this.exit = { code, signal }));
  }

  static start(t: TestContext, env?: Record<string, string>): WorkerChild {
    const w = new WorkerChild(env);
    t.after(() => w.kill());
    return w;
  }

  get pid(): number {
    return this.child.pid!;
  }

  send(msg: unknown): void {
    this.child.send(msg as object);
  }

  init(s: WorkerSpec, clientId = `test-${s.function}-${Date.now()}`): void {
    this.send({ type: 'worker:init', spec: s, clientId });
  }

  waitMessage<T extends ChildMessage['type']>(
    type: T,
    timeoutMs = 10_000,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    return waitFor(() => this.messages.find((m) => m.type === type) as Extract<ChildMessage, { type: T }> | undefined, {
      timeoutMs,
      what: `worker message ${type} (stderr: ${this.stderr.slice(-300)})`,
    });
  }

  waitExit(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return waitFor(() => this.exit, {
      timeoutMs,
      what: `worker ${this.pid} to exit (stderr: ${this.stderr.slice(-300)})`,
    });
  }

  /** SIGKILL to the worker's whole process group (it leads one), if still running. */
  kill(): void {
    if (this.exit) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
