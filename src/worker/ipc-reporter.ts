// Sends runtime events to the daemon over IPC, cheaply. `job:start` waits one macrotask and is dropped
// when the job has already ended by then (its end still goes out, so counters stay exact). With
// `batchMs` (the daemon opted in), job ends leave at most once per batchMs, several as one `job:ends`,
// and the starts of one macrotask leave as one `job:starts`.

import type { ChildMessage, JobEnd } from './ipc-messages.js';

export interface IpcReporter {
  report(msg: ChildMessage): void;
  /** Sends everything held back (before `worker:exiting`). */
  flush(): void;
}

export function makeIpcReporter(send: (msg: ChildMessage) => void, batchMs?: number): IpcReporter {
  const pendingStarts = new Map<string, Extract<ChildMessage, { type: 'job:start' }>>();
  let startsImmediate: NodeJS.Immediate | null = null;
  let ends: JobEnd[] = [];
  let endsTimer: NodeJS.Timeout | null = null;
  let lastEndsFlushMs = 0;

  const flushStarts = (): void => {
    if (startsImmediate) clearImmediate(startsImmediate); // called directly by flush()
    startsImmediate = null;
    if (batchMs !== undefined && batchMs > 0 && pendingStarts.size > 1) {
      send({ type: 'job:starts', jobs: [...pendingStarts.values()].map((m) => m.job) });
    } else {
      for (const msg of pendingStarts.values()) send(msg);
    }
    pendingStarts.clear();
  };
  const flushEnds = (): void => {
    if (endsTimer) clearTimeout(endsTimer);
    endsTimer = null;
    lastEndsFlushMs = Date.now();
    const [only, ...more] = ends;
    if (only !== undefined && more.length === 0) send({ type: 'job:end', ...only });
    else if (only !== undefined) send({ type: 'job:ends', ends });
    ends = [];
  };
  const flush = (): void => {
    flushStarts();
    flushEnds();
  };

  const report = (msg: ChildMessage): void => {
    if (msg.type === 'job:start') {
      pendingStarts.set(msg.job.handle, msg);
      startsImmediate ??= setImmediate(flushStarts);
      return;
    }
    if (msg.type === 'job:end') {
      // Never announced: only the end goes out. With nothing left to announce, cancel the flush: a
      // job that ends within its macrotask (most) then costs no check-phase call into JS.
      if (pendingStarts.delete(msg.handle) && pendingStarts.size === 0 && startsImmediate) {
        clearImmediate(startsImmediate);
        startsImmediate = null;
      }
      const { handle, function: fn, durationMs, ok } = msg;
      ends.push({ handle, function: fn, durationMs, ok });
      if (batchMs === undefined || batchMs <= 0) return flushEnds();
      if (endsTimer) return;
      const waitMs = lastEndsFlushMs + batchMs - Date.now();
      if (waitMs <= 0) flushEnds();
      else endsTimer = setTimeout(flushEnds, waitMs);
      return;
    }
    flush();
    send(msg);
  };
  return { report, flush };
}
