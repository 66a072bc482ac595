// Rolling history the charts draw: jobs/s (overall and per function) from the deltas of the daemon's
// cumulative `jobsDoneByFunction`, and queued jobs (overall and per function). Pure, fixed size.

import type { Snapshot } from '../control/snapshot.js';

export interface HistorySample {
  atMs: number;
  /** Jobs completed per second since the previous snapshot, all functions. */
  rate: number;
  rateByFunction: Map<string, number>;
  /** Jobs queued (not running) over every reachable server. */
  queued: number;
  queuedByFunction: Map<string, number>;
}

export class History {
  private readonly samples: HistorySample[] = [];
  private prev: { atMs: number; daemonPid: number; done: Record<string, number> } | null = null;

  constructor(readonly capacity = 600) {}

  /** Adds one sample per new snapshot; a snapshot not newer than the last one is ignored. */
  push(snap: Snapshot): void {
    const prev = this.prev;
    if (prev && prev.daemonPid === snap.daemon.pid && snap.takenAtMs <= prev.atMs) return;
    const rateByFunction = new Map<string, number>();
    let rate = 0;
    // A new daemon (pid changed) restarts its counters: no rate across that gap.
    if (prev && prev.daemonPid === snap.daemon.pid) {
      const dtSec = (snap.takenAtMs - prev.atMs) / 1000;
      for (const [fn, done] of Object.entries(snap.jobsDoneByFunction)) {
        const delta = done - (prev.done[fn] ?? 0);
        if (delta > 0 && dtSec > 0) {
          const r = delta / dtSec;
          rateByFunction.set(fn, r);
          rate += r;
        }
      }
    }
    const queuedByFunction = new Map<string, number>();
    let queued = 0;
    for (const server of snap.servers) {
      if (!server.reachable) continue;
      for (const q of server.functions) {
        queuedByFunction.set(q.function, (queuedByFunction.get(q.function) ?? 0) + q.queued);
        queued += q.queued;
      }
    }
    this.samples.push({ atMs: snap.takenAtMs, rate, rateByFunction, queued, queuedByFunction });
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
    this.prev = { atMs: snap.takenAtMs, daemonPid: snap.daemon.pid, done: { ...snap.jobsDoneByFunction } };
  }

  get length(): number {
    return this.samples.length;
  }

  latest(): HistorySample | null {
    return this.samples.at(-1) ?? null;
  }

  /** Series oldest first; `fn` null = overall. */
  rates(fn: string | null = null): number[] {
    return this.samples.map((s) => (fn === null ? s.rate : (s.rateByFunction.get(fn) ?? 0)));
  }

  queuedSeries(fn: string | null = null): number[] {
    return this.samples.map((s) => (fn === null ? s.queued : (s.queuedByFunction.get(fn) ?? 0)));
  }
}
