// Child entry of a worker process (dist/worker/main.js). With an IPC channel it waits for
// `worker:init`, loads the handler and replies `worker:ready` or `worker:init-failed`; without one it
// reads the WorkerSpec from GMSUP_WORKER_SPEC (JSON). Exits on its own when the parent goes away.

import type { WorkerSpec } from './spec.js';
import { serializeError } from '../shared/errors.js';
import { parseParentMessage, parseWorkerSpec, type ChildMessage, type ParentMessage } from './ipc-messages.js';
import { runWorker, type WorkerHandle, type WorkerResult } from './index.js';
import { makeIpcReporter, type IpcReporter } from './ipc-reporter.js';

/** The daemon is gone: nobody will SIGKILL us later, so bound the drain ourselves. */
const PARENT_GONE_STOP_MS = 3000;
const EXIT_FLUSH_MS = 1000;

const hasIpc = typeof process.send === 'function';
let handle: WorkerHandle | null = null;
let spec: WorkerSpec | null = null;
let pendingStop: { reason: 'stopped' | 'parent-gone'; stopTimeoutMs?: number } | null = null;
let signals = 0;
let exiting = false;
let reporter: IpcReporter | null = null;

function send(msg: ChildMessage): void {
  if (hasIpc && process.connected) {
    try {
      process.send!(msg);
    } catch {
      // channel closed between the check and the send
    }
  }
}

function log(line: string): void {
  process.stderr.write(`gmsup worker ${process.pid}: ${line}\n`);
}

function exitNow(code: number, reason: 'max-jobs' | 'stopped' | 'parent-gone' | 'error'): void {
  if (exiting) return;
  exiting = true;
  reporter?.flush();
  const timer = setTimeout(() => process.exit(code), EXIT_FLUSH_MS);
  if (hasIpc && process.connected) {
    process.send!({ type: 'worker:exiting', reason } satisfies ChildMessage, () => {
      clearTimeout(timer);
      process.exit(code);
    });
  } else {
    clearTimeout(timer);
    process.exit(code);
  }
}

function requestStop(reason: 'stopped' | 'parent-gone', stopTimeoutMs?: number): void {
  if (handle) void handle.stop(reason, stopTimeoutMs);
  else if (spec === null)
    exitNow(0, reason); // never initialised (e.g. a warm spare): nothing to drain
  else pendingStop = { reason, stopTimeoutMs };
}

/** A requested stop exits 0 (even if the process-kind program died of our SIGTERM); else its status. */
function exitCodeFor(result: WorkerResult): number {
  if (result.reason !== 'error') return 0;
  return result.exit ? (result.exit.code ?? 1) : 1;
}

/**
 * This process runs one spec: it takes on the spec's environment and working directory before anything
 * loads, so a module worker sees `env:`/`cwd:` as a command or a program does (a warm spare was started
 * before it knew its spec).
 */
function adoptSpec(s: WorkerSpec): void {
  Object.assign(process.env, s.env);
  if (process.cwd() !== s.cwd) process.chdir(s.cwd);
}

async function start(s: WorkerSpec, clientId: string | undefined, ipcBatchMs?: number): Promise<void> {
  spec = s;
  reporter = makeIpcReporter(send, ipcBatchMs);
  try {
    adoptSpec(s);
    handle = await runWorker(s, { clientId, onEvent: reporter.report, log });
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    send({ type: 'worker:init-failed', error: serializeError(err) });
    exitNow(1, 'error');
    return;
  }
  send({ type: 'worker:ready', functions: handle.functions });
  if (pendingStop) void handle.stop(pendingStop.reason, pendingStop.stopTimeoutMs);
  const result = await handle.done;
  if (result.abandonedJobs > 0)
    log(`stopped with ${result.abandonedJobs} job(s) abandoned (the job server re-queues them)`);
  exitNow(exitCodeFor(result), result.reason);
}

function onSignal(): void {
  signals++;
  if (signals === 1) requestStop('stopped');
  else if (handle) void handle.force();
  else exitNow(0, 'stopped');
}
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
process.on('uncaughtException', (err) => {
  log(`uncaught exception: ${err.stack ?? err.message}`);
  exitNow(1, 'error');
});

if (hasIpc) {
  process.on('message', (raw: unknown) => {
    let msg: ParentMessage;
    try {
      msg = parseParentMessage(raw);
    } catch (err) {
      // The daemon captures this line into the worker's log; the message itself is dropped.
      log(`malformed IPC message dropped: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    switch (msg.type) {
      case 'worker:init':
        if (spec === null) {
          process.env.GMSUP_PROGRAM = msg.spec.name;
          if (msg.index !== undefined) process.env.GMSUP_INDEX = String(msg.index);
          void start(msg.spec, msg.clientId, msg.ipcBatchMs);
        }
        break;
      case 'worker:stop':
        requestStop('stopped');
        break;
      case 'worker:reregister':
        handle?.reregister();
        break;
    }
  });
  process.on('disconnect', () => {
    const stopMs = Math.min(spec?.stopTimeoutMs ?? PARENT_GONE_STOP_MS, PARENT_GONE_STOP_MS);
    requestStop('parent-gone', stopMs);
  });
} else {
  const text = process.env.GMSUP_WORKER_SPEC;
  if (!text) {
    log('no IPC channel and no GMSUP_WORKER_SPEC: nothing to run (use `gmsup work` to run a worker by hand)');
    process.exit(64);
  }
  let fromEnv: WorkerSpec;
  try {
    fromEnv = parseWorkerSpec(JSON.parse(text), 'GMSUP_WORKER_SPEC');
  } catch (err) {
    log(`bad GMSUP_WORKER_SPEC: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(64);
  }
  void start(fromEnv, process.env.GMSUP_CLIENT_ID);
}
