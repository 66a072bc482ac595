// The stop and exit branches of the instance state machine (process-state.ts dispatches to them): a
// stop request, the escalation drain -> TERM -> KILL, and what an exit means in each state. Pure.

import { backoffDelayMs } from '../shared/backoff.js';
import {
  assertIn,
  describeExit,
  go,
  spawnPatch,
  startByHand,
  type ProcEvent,
  type ProcState,
  type Step,
  type Timing,
} from './process-state-model.js';

/** A failed start: BACKOFF with a growing delay, or FATAL after startRetries. */
export function failedStart(s: ProcState, now: number, t: Timing, why: string, lastExit: string | null): Step {
  const failedStarts = s.failedStarts + 1;
  const base = { pid: null, failedStarts, lastExit: lastExit ?? s.lastExit, escalateAtMs: null, stopPath: null };
  if (failedStarts > t.restart.startRetries) {
    // STARTING -> FATAL
    const reason = `${why}; gave up after ${failedStarts} failed starts`;
    return go(s, 'FATAL', { ...base, retryAtMs: null, reason }, []);
  }
  const delay = backoffDelayMs(
    { initialMs: t.restart.initialBackoffMs, maxMs: t.restart.maxBackoffMs },
    failedStarts - 1,
    t.random,
  );
  // STARTING -> BACKOFF
  const reason = `${why}; retry ${failedStarts}/${t.restart.startRetries} in ${delay} ms`;
  return go(s, 'BACKOFF', { ...base, retryAtMs: now + delay, reason }, [{ type: 'wake', atMs: now + delay }]);
}

function beginStop(s: ProcState, now: number, t: Timing, reason: string, force: boolean): Step {
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

export function onStop(s: ProcState, e: Extract<ProcEvent, { type: 'stop' }>, now: number, t: Timing): Step {
  if (s.stateName === 'BACKOFF') {
    // BACKOFF -> STARTING (restart requested): at once, the failed-start count starts over
    if (e.restart) return go(s, 'STARTING', { ...spawnPatch(now), failedStarts: 0, reason: null }, [{ type: 'spawn' }]);
    // BACKOFF -> STOPPED
    return go(s, 'STOPPED', { retryAtMs: null, reason: e.reason }, []);
  }
  if (s.stateName === 'STOPPED' || s.stateName === 'EXITED' || s.stateName === 'FATAL') {
    if (e.restart) return startByHand(s, now);
    return { state: s, effects: [] };
  }
  if (s.stateName === 'STOPPING') {
    // STOPPING(drain|term) -> STOPPING(kill)
    if (e.force && s.stopPath !== 'kill') return beginStop(s, now, t, s.reason ?? e.reason, true);
    // A stop by hand wins over the automatic restart of a start that never became ready.
    return {
      state: { ...s, stopIsFailedStart: false, restartAfterStop: s.restartAfterStop || !!e.restart },
      effects: [],
    };
  }
  assertIn(s, e.type, ['STARTING', 'RUNNING']);
  const step = beginStop(s, now, t, e.reason, !!e.force);
  step.state.restartAfterStop = !!e.restart;
  return step;
}

/** STOPPING: the drain or TERM deadline passed; escalate one step. */
export function escalateStop(s: ProcState, now: number, t: Timing): Step {
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
    return { state: { ...s, stopPath: 'kill', escalateAtMs: null }, effects: [{ type: 'signal', signal: 'SIGKILL' }] };
  }
  return { state: s, effects: [] };
}

/** The process of a STOPPING instance is gone (exit, or its spawn failed). */
export function afterStop(s: ProcState, now: number, lastExit: string, t: Timing): Step {
  if (s.stopIsFailedStart) {
    const failed = { ...s, stopIsFailedStart: false, lastStopPath: s.stopPath };
    return failedStart(failed, now, t, s.reason ?? 'not ready', lastExit);
  }
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

export function onExit(s: ProcState, e: Extract<ProcEvent, { type: 'exit' }>, now: number, t: Timing): Step {
  assertIn(s, e.type, ['STARTING', 'RUNNING', 'STOPPING']);
  const how = e.expected ?? describeExit(e.code, e.signal);
  if (s.stateName === 'STOPPING') return afterStop(s, now, how, t);
  if (s.stateName === 'STARTING') {
    if (e.expected) return go(s, 'EXITED', { pid: null, lastExit: how }, []); // STARTING -> EXITED (recycled early)
    const why = s.reason?.startsWith('init failed') ? s.reason : `exited while starting (${how})`;
    return failedStart(s, now, t, why, how);
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
