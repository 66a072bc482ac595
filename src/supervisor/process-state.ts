// PURE reducer for one supervised worker instance (Supervisor's process state machine): (state, event,
// now) -> {state, effects}. No timers, no child_process, no clock reads; managed-process.ts runs the effects.
//
// States:
//   STOPPED   not running, not wanted (initial; after a stop completes)
//   STARTING  spawned, waiting for `worker:ready` and startSecsMs of uptime
//   RUNNING   ready and up for startSecsMs
//   BACKOFF   waiting retryAtMs before the next spawn after a failed start or a quick crash
//   STOPPING  asked to stop: drain (worker:stop) -> SIGTERM group -> SIGKILL group, each with a deadline
//   EXITED    exited on its own and expectedly (max_jobs); the owner (program.ts) replaces it
//   FATAL     failed to start startRetries+1 times in a row; not retried until started by hand

import type { InstanceState } from '../control/snapshot.js';
import type { RestartPolicy } from '../config/types.js';
import { backoffDelayMs } from '../shared/backoff.js';

export type StopPath = 'drain' | 'term' | 'kill';

export interface ProcState {
  name: InstanceState;
  pid: number | null;
  spawnedAtMs: number | null;
  readyAtMs: number | null;
  runningSinceMs: number | null;
  /** Failed starts in a row (exit or spawn error while STARTING). */
  failedStarts: number;
  /** Crashes from RUNNING in a row, each within stableMs of the previous start. */
  crashStreak: number;
  retryAtMs: number | null;
  /** STOPPING: when to escalate to the next stop path. */
  escalateAtMs: number | null;
  stopPath: StopPath | null;
  /** How the last stop ended: the path that was in force when the process exited. */
  lastStopPath: StopPath | null;
  /** Restart the process once the stop completes (`gmsup restart`). */
  restartAfterStop: boolean;
  /** The stop in progress is the kill of a start that never became ready: its exit is a failed start. */
  stopIsFailedStart: boolean;
  restarts: number;
  lastExit: string | null;
  reason: string | null;
}

export interface Timing {
  restart: RestartPolicy;
  /** Drain time given to the worker (spec.stopTimeoutMs). */
  stopTimeoutMs: number;
  /** Between SIGTERM and SIGKILL. */
  termGraceMs: number;
  /** A STARTING process not ready after this long is killed (counts as a failed start). */
  readyTimeoutMs: number;
  /** Up this long, a crash counts as the first of a new streak (restart at once, no backoff). */
  stableMs: number;
  /** Beyond stopTimeoutMs, how long a draining worker gets before SIGTERM (it exits a hair after its drain). */
  drainSlackMs: number;
  random?: () => number;
}

export type ProcEvent =
  | { type: 'start' }
  | { type: 'spawned'; pid: number }
  | { type: 'spawn-failed'; error: string }
  | { type: 'ready' }
  | { type: 'init-failed'; error: string }
  | { type: 'stop'; reason: string; restart?: boolean; force?: boolean }
  | { type: 'exit'; code: number | null; signal: string | null; expected?: string }
  | { type: 'tick' };

export type ProcEffect =
  | { type: 'spawn' }
  | { type: 'send-stop'; reason: string }
  | { type: 'signal'; signal: 'SIGTERM' | 'SIGKILL' }
  /** Call back with a tick at this time (replaces any earlier wake-up). */
  | { type: 'wake'; atMs: number }
  | { type: 'state'; from: InstanceState; to: InstanceState };

export interface Step {
  state: ProcState;
  effects: ProcEffect[];
}

export function initialProcState(): ProcState {
  return {
    name: 'STOPPED',
    pid: null,
    spawnedAtMs: null,
    readyAtMs: null,
    runningSinceMs: null,
    failedStarts: 0,
    crashStreak: 0,
    retryAtMs: null,
    escalateAtMs: null,
    stopPath: null,
    lastStopPath: null,
    restartAfterStop: false,
    stopIsFailedStart: false,
    restarts: 0,
    lastExit: null,
    reason: null,
  };
}

export class TransitionError extends Error {
  override readonly name = 'TransitionError';
}

function assertIn(s: ProcState, event: string, allowed: InstanceState[]): void {
  if (!allowed.includes(s.name))
    throw new TransitionError(`event ${event} not allowed in state ${s.name} (allowed: ${allowed.join(', ')})`);
}

export function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit ${code ?? '?'}`;
}

/** Moves to `to`, emitting a state effect; fields in `patch` are applied too. */
function go(s: ProcState, to: InstanceState, patch: Partial<ProcState>, effects: ProcEffect[]): Step {
  const next = { ...s, ...patch, name: to };
  return { state: next, effects: s.name === to ? effects : [{ type: 'state', from: s.name, to }, ...effects] };
}

function spawnPatch(now: number): Partial<ProcState> {
  return {
    pid: null,
    spawnedAtMs: now,
    readyAtMs: null,
    runningSinceMs: null,
    retryAtMs: null,
    escalateAtMs: null,
    stopPath: null,
  };
}

/** A failed start: BACKOFF with a growing delay, or FATAL after startRetries. */
function failedStart(s: ProcState, now: number, t: Timing, why: string, lastExit: string | null): Step {
  const failedStarts = s.failedStarts + 1;
  const base = { pid: null, failedStarts, lastExit: lastExit ?? s.lastExit, escalateAtMs: null, stopPath: null };
  if (failedStarts > t.restart.startRetries) {
    // STARTING -> FATAL
    return go(
      s,
      'FATAL',
      { ...base, retryAtMs: null, reason: `${why}; gave up after ${failedStarts} failed starts` },
      [],
    );
  }
  const delay = backoffDelayMs(
    { initialMs: t.restart.initialBackoffMs, maxMs: t.restart.maxBackoffMs },
    failedStarts - 1,
    t.random,
  );
  // STARTING -> BACKOFF
  return go(
    s,
    'BACKOFF',
    {
      ...base,
      retryAtMs: now + delay,
      reason: `${why}; retry ${failedStarts}/${t.restart.startRetries} in ${delay} ms`,
    },
    [{ type: 'wake', atMs: now + delay }],
  );
}

function startStop(s: ProcState, now: number, t: Timing, reason: string, force: boolean): Step {
  if (force) {
    // STARTING|RUNNING|STOPPING -> STOPPING (forced: straight to SIGKILL of the group)
    return go(s, 'STOPPING', { stopPath: 'kill', escalateAtMs: null, reason, stopIsFailedStart: false }, [
      { type: 'signal', signal: 'SIGKILL' },
    ]);
  }
  if (s.readyAtMs !== null) {
    // RUNNING|STARTING(ready) -> STOPPING: ask the worker to drain first
    const at = now + t.stopTimeoutMs + t.drainSlackMs;
    return go(s, 'STOPPING', { stopPath: 'drain', escalateAtMs: at, reason }, [
      { type: 'send-stop', reason },
      { type: 'wake', atMs: at },
    ]);
  }
  // STARTING(not ready) -> STOPPING: nothing to drain, TERM the group
  const at = now + t.termGraceMs;
  return go(s, 'STOPPING', { stopPath: 'term', escalateAtMs: at, reason }, [
    { type: 'signal', signal: 'SIGTERM' },
    { type: 'wake', atMs: at },
  ]);
}

export function reduce(s: ProcState, e: ProcEvent, now: number, t: Timing): Step {
  switch (e.type) {
    case 'start': {
      assertIn(s, e.type, ['STOPPED', 'EXITED', 'FATAL', 'BACKOFF']);
      // STOPPED|EXITED|FATAL|BACKOFF -> STARTING (by hand: the failed-start count starts over)
      return go(s, 'STARTING', { ...spawnPatch(now), failedStarts: 0, reason: null, restartAfterStop: false }, [
        { type: 'spawn' },
      ]);
    }
    case 'spawned': {
      assertIn(s, e.type, ['STARTING', 'STOPPING']);
      return {
        state: { ...s, pid: e.pid },
        effects: [{ type: 'wake', atMs: (s.spawnedAtMs ?? now) + t.readyTimeoutMs }],
      };
    }
    case 'spawn-failed': {
      assertIn(s, e.type, ['STARTING', 'STOPPING']);
      if (s.name === 'STOPPING') return afterStop(s, now, 'spawn failed', t);
      return failedStart(s, now, t, `spawn failed: ${e.error}`, null);
    }
    case 'ready': {
      if (s.name !== 'STARTING') return { state: s, effects: [] }; // a late ready while stopping changes nothing
      const dueAt = (s.spawnedAtMs ?? now) + t.restart.startSecsMs;
      const ready = { ...s, readyAtMs: now };
      if (now >= dueAt) return toRunning(ready, now);
      return { state: ready, effects: [{ type: 'wake', atMs: dueAt }] };
    }
    case 'init-failed': {
      // The worker exits by itself after init-failed; keep the reason for the exit that follows.
      return { state: { ...s, reason: `init failed: ${e.error}` }, effects: [] };
    }
    case 'stop': {
      if (s.name === 'BACKOFF') {
        // BACKOFF -> STOPPED (or STARTING for a restart)
        if (e.restart)
          return go(s, 'STARTING', { ...spawnPatch(now), failedStarts: 0, reason: null }, [{ type: 'spawn' }]);
        return go(s, 'STOPPED', { retryAtMs: null, reason: e.reason }, []);
      }
      if (s.name === 'STOPPED' || s.name === 'EXITED' || s.name === 'FATAL') {
        if (e.restart) return reduce(s, { type: 'start' }, now, t);
        return { state: s, effects: [] };
      }
      if (s.name === 'STOPPING') {
        if (e.force && s.stopPath !== 'kill') return startStop(s, now, t, s.reason ?? e.reason, true);
        // A stop by hand wins over the automatic restart of a start that never became ready.
        return {
          state: { ...s, stopIsFailedStart: false, restartAfterStop: s.restartAfterStop || !!e.restart },
          effects: [],
        };
      }
      assertIn(s, e.type, ['STARTING', 'RUNNING']);
      const step = startStop(s, now, t, e.reason, !!e.force);
      step.state.restartAfterStop = !!e.restart;
      return step;
    }
    case 'exit':
      return onExit(s, e, now, t);
    case 'tick':
      return onTick(s, now, t);
  }
}

function toRunning(s: ProcState, now: number): Step {
  // STARTING -> RUNNING: a successful start resets the failed-start count
  return go(s, 'RUNNING', { runningSinceMs: now, failedStarts: 0, reason: null }, []);
}

function afterStop(s: ProcState, now: number, lastExit: string, t: Timing): Step {
  if (s.stopIsFailedStart)
    return failedStart(
      { ...s, stopIsFailedStart: false, lastStopPath: s.stopPath },
      now,
      t,
      s.reason ?? 'not ready',
      lastExit,
    );
  if (s.restartAfterStop) {
    // STOPPING -> STARTING (restart requested)
    return go(
      s,
      'STARTING',
      {
        ...spawnPatch(now),
        lastStopPath: s.stopPath,
        lastExit,
        restartAfterStop: false,
        failedStarts: 0,
        restarts: s.restarts + 1,
        reason: null,
      },
      [{ type: 'spawn' }],
    );
  }
  // STOPPING -> STOPPED
  return go(s, 'STOPPED', { pid: null, lastStopPath: s.stopPath, stopPath: null, escalateAtMs: null, lastExit }, []);
}

function onExit(s: ProcState, e: Extract<ProcEvent, { type: 'exit' }>, now: number, t: Timing): Step {
  assertIn(s, e.type, ['STARTING', 'RUNNING', 'STOPPING']);
  const how = e.expected ?? describeExit(e.code, e.signal);
  if (s.name === 'STOPPING') return afterStop(s, now, how, t);
  if (s.name === 'STARTING') {
    if (e.expected) return go(s, 'EXITED', { pid: null, lastExit: how }, []); // STARTING -> EXITED (recycled early)
    return failedStart(
      s,
      now,
      t,
      s.reason?.startsWith('init failed') ? s.reason : `exited while starting (${how})`,
      how,
    );
  }
  if (e.expected) {
    // RUNNING -> EXITED: an expected exit (max_jobs); program.ts has already started the replacement
    return go(s, 'EXITED', { pid: null, lastExit: how, reason: null }, []);
  }
  // RUNNING -> STARTING | BACKOFF: a crash. The first crash after a stable run restarts at once; crashes
  // in quick succession back off exponentially (capped), so a crash loop is rate limited, never a fork bomb.
  const upMs = now - (s.spawnedAtMs ?? now);
  const streak = upMs >= t.stableMs ? 0 : s.crashStreak;
  const restarts = s.restarts + 1;
  if (streak === 0) {
    return go(s, 'STARTING', { ...spawnPatch(now), crashStreak: 1, restarts, lastExit: how, reason: null }, [
      { type: 'spawn' },
    ]);
  }
  const delay = backoffDelayMs(
    { initialMs: t.restart.initialBackoffMs, maxMs: t.restart.maxBackoffMs },
    streak - 1,
    t.random,
  );
  return go(
    s,
    'BACKOFF',
    {
      pid: null,
      crashStreak: streak + 1,
      lastExit: how,
      retryAtMs: now + delay,
      reason: `crashed ${streak + 1} times in a row (${how}); restart in ${delay} ms`,
    },
    [{ type: 'wake', atMs: now + delay }],
  );
}

function onTick(s: ProcState, now: number, t: Timing): Step {
  switch (s.name) {
    case 'STARTING': {
      const dueAt = (s.spawnedAtMs ?? now) + t.restart.startSecsMs;
      if (s.readyAtMs !== null && now >= dueAt) return toRunning(s, now);
      if (s.readyAtMs === null && s.pid !== null && now >= (s.spawnedAtMs ?? now) + t.readyTimeoutMs) {
        // STARTING -> STOPPING: never said ready; kill it, its exit counts as a failed start
        const at = now + t.termGraceMs;
        return go(
          s,
          'STOPPING',
          {
            stopPath: 'kill',
            escalateAtMs: at,
            reason: `not ready within ${t.readyTimeoutMs} ms`,
            stopIsFailedStart: true,
          },
          [{ type: 'signal', signal: 'SIGKILL' }],
        );
      }
      // An early tick (timers and the wall clock drift apart by a millisecond or so): wake again.
      return {
        state: s,
        effects: [{ type: 'wake', atMs: s.readyAtMs !== null ? dueAt : (s.spawnedAtMs ?? now) + t.readyTimeoutMs }],
      };
    }
    case 'BACKOFF': {
      if (s.retryAtMs !== null && now >= s.retryAtMs) {
        // BACKOFF -> STARTING
        return go(s, 'STARTING', { ...spawnPatch(now), restarts: s.restarts + 1 }, [{ type: 'spawn' }]);
      }
      return { state: s, effects: s.retryAtMs !== null ? [{ type: 'wake', atMs: s.retryAtMs }] : [] };
    }
    case 'STOPPING': {
      if (s.escalateAtMs === null) return { state: s, effects: [] };
      if (now < s.escalateAtMs) return { state: s, effects: [{ type: 'wake', atMs: s.escalateAtMs }] };
      if (s.stopPath === 'drain') {
        // STOPPING(drain) -> STOPPING(term): the drain deadline passed
        const at = now + t.termGraceMs;
        return {
          state: { ...s, stopPath: 'term', escalateAtMs: at },
          effects: [
            { type: 'signal', signal: 'SIGTERM' },
            { type: 'wake', atMs: at },
          ],
        };
      }
      if (s.stopPath === 'term') {
        // STOPPING(term) -> STOPPING(kill)
        return {
          state: { ...s, stopPath: 'kill', escalateAtMs: null },
          effects: [{ type: 'signal', signal: 'SIGKILL' }],
        };
      }
      return { state: s, effects: [] };
    }
    default:
      return { state: s, effects: [] };
  }
}
