// PURE queue alarms for the Snapshot: a queue that does not move (stalled), workers idle while jobs
// wait (idle-workers), a configured function with no registered worker (no-workers), and a job server
// whose job store fails to commit (store-failing: it refuses background jobs until the store recovers).

import type { Alarm, ServerInfo } from '../control/snapshot.js';

export interface AlarmPolicy {
  /** Jobs queued and none of the function completed for this long. */
  stalledAfterMs: number;
  /** Jobs queued while workers sit idle for this long. */
  idleAfterMs: number;
  /** A configured function without a registered worker for this long. */
  noWorkersAfterMs: number;
}

export const DEFAULT_ALARM_POLICY: AlarmPolicy = { stalledAfterMs: 10_000, idleAfterMs: 5000, noWorkersAfterMs: 5000 };

/** Remembers since when each condition holds; `update` is a pure step over its own maps. */
export class AlarmTracker {
  private readonly since = new Map<string, number>();
  private readonly lastDone = new Map<string, { count: number; atMs: number }>();

  constructor(private readonly policy: AlarmPolicy = DEFAULT_ALARM_POLICY) {}

  update(
    now: number,
    servers: ServerInfo[],
    doneByFunction: Record<string, number>,
    configuredFunctions: string[],
  ): Alarm[] {
    for (const [fn, count] of Object.entries(doneByFunction)) {
      const prev = this.lastDone.get(fn);
      if (!prev || prev.count !== count) this.lastDone.set(fn, { count, atMs: now });
    }
    const alarms: Alarm[] = [];
    const seen = new Set<string>();
    const hold = (key: string, cond: boolean, forMs: number): boolean => {
      if (!cond) return false;
      seen.add(key);
      const since = this.since.get(key) ?? now;
      this.since.set(key, since);
      return now - since >= forMs;
    };
    for (const srv of servers) {
      if (!srv.reachable) continue;
      if (srv.store?.state === 'failing') {
        const forS = Math.max(0, Math.round((now - srv.store.sinceMs) / 1000));
        alarms.push({
          server: srv.address,
          function: '',
          kind: 'store-failing',
          message: `job store ${srv.store.store} failing for ${forS} s: ${srv.store.error ?? 'commit failed'}`,
        });
      }
      const byFn = new Map(srv.functions.map((f) => [f.function, f]));
      for (const f of srv.functions) {
        const key = `${srv.address}\t${f.function}`;
        // Stalled: jobs queued the whole time and no job of the function completed in that time.
        const lastDoneAt = this.lastDone.get(f.function)?.atMs ?? null;
        const stalledKey = `stalled\t${key}`;
        const since = this.since.get(stalledKey);
        if (since !== undefined && lastDoneAt !== null && lastDoneAt > since) this.since.set(stalledKey, lastDoneAt);
        if (hold(stalledKey, f.queued > 0 && f.availableWorkers > 0, this.policy.stalledAfterMs)) {
          alarms.push({
            server: srv.address,
            function: f.function,
            kind: 'stalled',
            message: `${f.queued} queued and no job completed for ${Math.round(this.policy.stalledAfterMs / 1000)} s`,
          });
        }
        if (hold(`idle\t${key}`, f.queued > 0 && f.running < f.availableWorkers, this.policy.idleAfterMs)) {
          alarms.push({
            server: srv.address,
            function: f.function,
            kind: 'idle-workers',
            message: `${f.queued} queued while ${f.availableWorkers - f.running} workers are idle`,
          });
        }
        if (hold(`none\t${key}`, f.queued > 0 && f.availableWorkers === 0, 0)) {
          alarms.push({
            server: srv.address,
            function: f.function,
            kind: 'no-workers',
            message: `${f.queued} queued and no worker registered`,
          });
        }
      }
      for (const fn of configuredFunctions) {
        if (byFn.get(fn)?.queued) continue; // already covered above
        const key = `unreg\t${srv.address}\t${fn}`;
        if (hold(key, (byFn.get(fn)?.availableWorkers ?? 0) === 0, this.policy.noWorkersAfterMs)) {
          alarms.push({
            server: srv.address,
            function: fn,
            kind: 'no-workers',
            message: `no worker registered for ${fn}`,
          });
        }
      }
    }
    for (const key of [...this.since.keys()]) if (!seen.has(key)) this.since.delete(key);
    return alarms;
  }
}
