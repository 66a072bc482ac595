// Public library API of the worker runtime: `runWorker(spec)` loads the handler for a WorkerSpec
// (module, command or process kind), connects to every job server and returns a handle to stop it.

import type { WorkerSpec } from './spec.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import { GmsupError } from '../shared/errors.js';
import type { ChildMessage } from './ipc-messages.js';
import type { JobHandler } from './job-context.js';
import { WorkerRuntime, defaultClientId, type StopReason } from './runtime.js';

export type { JobContext, JobHandler } from './job-context.js';
export type { WorkerKind, WorkerSpec } from './spec.js';
export type { StopReason } from './runtime.js';

export interface WorkerOptions {
  /** SET_CLIENT_ID value; default `host:name:index:pid`. */
  clientId?: string;
  /** IPC-shaped progress events (server:state, job:start, job:end, worker:draining). */
  onEvent?: (msg: ChildMessage) => void;
  log?: (line: string) => void;
  /** true: WORK_EXCEPTION; false: plain WORK_FAIL; default spec.exceptions, else auto (see WorkerSpec). */
  sendExceptions?: boolean;
  backoff?: BackoffPolicy;
  /** command kind: delay between SIGTERM and SIGKILL of a timed-out command's process group. */
  killGraceMs?: number;
}

export interface WorkerResult {
  reason: StopReason;
  abandonedJobs: number;
  jobsDone: number;
  jobsFailed: number;
  /** process kind: the program's exit status. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

export interface WorkerHandle {
  readonly functions: string[];
  /** The in-process runtime (module and command kinds); null for the process kind. */
  readonly runtime: WorkerRuntime | null;
  readonly pid: number;
  readonly done: Promise<WorkerResult>;
  /** Graceful: stop grabbing, finish in-flight jobs within `spec.stopTimeoutMs` (or the given value). */
  stop(reason?: StopReason, stopTimeoutMs?: number): Promise<WorkerResult>;
  /** Abandon in-flight jobs now (the server re-queues them). */
  force(): Promise<WorkerResult>;
  reregister(): void;
}

async function loadHandler(spec: WorkerSpec, opts: WorkerOptions): Promise<JobHandler> {
  if (spec.kind === 'module') {
    if (!spec.modulePath) throw new GmsupError('SPAWN_ERROR', `worker ${spec.name}: module kind needs modulePath`);
    const { loadModuleHandler } = await import('./module-handler.js');
    return (await loadModuleHandler(spec.modulePath, spec.function)).handler;
  }
  const { commandHandler } = await import('./command-handler.js');
  return commandHandler({
    command: spec.command ?? [],
    shell: spec.shell ?? false,
    env: spec.env,
    cwd: spec.cwd,
    killGraceMs: opts.killGraceMs,
  });
}

export async function runWorker(spec: WorkerSpec, opts: WorkerOptions = {}): Promise<WorkerHandle> {
  if (spec.servers.length === 0) throw new GmsupError('USAGE', `worker ${spec.name}: no job servers configured`);
  if (spec.kind === 'process') return runProcessWorker(spec, opts.clientId ?? defaultClientId(spec.name));
  const handler = await loadHandler(spec, opts);
  const runtime = new WorkerRuntime({
    function: spec.function,
    servers: spec.servers,
    handler,
    concurrency: Math.max(1, spec.concurrency),
    timeoutMs: spec.timeoutMs,
    maxJobs: spec.maxJobs,
    stopTimeoutMs: spec.stopTimeoutMs,
    clientId: opts.clientId ?? defaultClientId(spec.name),
    sendExceptions: opts.sendExceptions ?? spec.exceptions,
    backoff: opts.backoff,
    keepalive: spec.keepalive,
    onEvent: opts.onEvent,
    log: opts.log,
  });
  runtime.start();
  return {
    functions: [spec.function],
    runtime,
    pid: process.pid,
    done: runtime.done,
    stop: (reason, stopTimeoutMs) => runtime.stop(reason, stopTimeoutMs),
    force: () => runtime.force(),
    reregister: () => runtime.reregister(),
  };
}

async function runProcessWorker(spec: WorkerSpec, clientId: string): Promise<WorkerHandle> {
  const { startProcess } = await import('./process-runner.js');
  const proc = await startProcess({
    command: spec.command ?? [],
    shell: spec.shell ?? false,
    servers: spec.servers,
    env: spec.env,
    cwd: spec.cwd,
    function: spec.function,
    clientId,
  });
  let reason: StopReason = 'error';
  const done = proc.exited.then((exit) => ({ reason, abandonedJobs: 0, jobsDone: 0, jobsFailed: 0, exit }));
  const stop = (r: StopReason = 'stopped', stopTimeoutMs = spec.stopTimeoutMs): Promise<WorkerResult> => {
    reason = r;
    void proc.stop(stopTimeoutMs);
    return done;
  };
  return {
    functions: [spec.function],
    runtime: null,
    pid: proc.child.pid ?? -1,
    done,
    stop,
    force: () => stop('stopped', 0),
    reregister: () => {},
  };
}
