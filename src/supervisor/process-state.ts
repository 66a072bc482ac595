// PURE reducer for one supervised worker instance (Supervisor's process state machine): (state, event,
// now) -> {state, effects}. No timers, no child_process, no clock reads; managed-process.ts runs the
// effects. The data and helpers live in process-state-model.ts, the stop/exit branches in
// process-stop-exit.ts; `reduce` here is the one entry point.
//
// States (ProcState.stateName):
//   STOPPED   not running, not wanted (initial; after a stop completes)
//   STARTING  spawned, waiting for `worker:ready` and startSecsMs of uptime
//   RUNNING   ready and up for startSecsMs
//   BACKOFF   waiting retryAtMs before the next spawn after a failed start or a quick crash
//   STOPPING  asked to stop: drain (worker:stop) -> SIGTERM group -> SIGKILL group, each with a deadline
//   EXITED    exited on its own and expectedly (max_jobs); the owner (program.ts) replaces it
//   FATAL     failed to start startRetries+1 times in a row; not retried until started by hand

import {
  assertIn,
  go,
  spawnPatch,
  startByHand,
  type ProcEvent,
  type ProcState,
  type Step,
  type Timing,
} from './process-state-model.js';
import { afterStop, escalateStop, failedStart, onExit, onStop } from './process-stop-exit.js';

export {
  describeExit,
  initialProcState,
  TransitionError,
  type ProcEffect,
  type ProcEvent,
  type ProcState,
  type Step,
  type StopPath,
  type Timing,
  timingFor,
} from './process-state-model.js';

export function reduce(s: ProcState, e: ProcEvent, now: number, t: Timing): Step {
  switch (e.type) {
    case 'start':
      return startByHand(s, now);
    case 'spawned': {
      assertIn(s, e.type, ['STARTING', 'STOPPING']);
      return {
        state: { ...s, pid: e.pid },
        effects: [{ type: 'wake', atMs: (s.spawnedAtMs ?? now) + t.readyTimeoutMs }],
      };
    }
    case 'spawn-failed': {
      assertIn(s, e.type, ['STARTING', 'STOPPING']);
      if (s.stateName === 'STOPPING') return afterStop(s, now, 'spawn failed', t);
      return failedStart(s, now, t, `spawn failed: ${e.error}`, null);
    }
    case 'ready': {
      if (s.stateName !== 'STARTING') return { state: s, effects: [] }; // a late ready while stopping changes nothing
      const dueAt = (s.spawnedAtMs ?? now) + t.restart.startSecsMs;
      const ready = { ...s, readyAtMs: now };
      if (now >= dueAt) return toRunning(ready, now);
      return { state: ready, effects: [{ type: 'wake', atMs: dueAt }] };
    }
    case 'init-failed':
      // The worker exits by itself after init-failed; keep the reason for the exit that follows.
      return { state: { ...s, reason: `init failed: ${e.error}` }, effects: [] };
    case 'stop':
      return onStop(s, e, now, t);
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

function onTick(s: ProcState, now: number, t: Timing): Step {
  switch (s.stateName) {
    case 'STARTING':
      return startingTick(s, now, t);
    case 'BACKOFF': {
      if (s.retryAtMs !== null && now >= s.retryAtMs) {
        // BACKOFF -> STARTING
        return go(s, 'STARTING', { ...spawnPatch(now), restarts: s.restarts + 1 }, [{ type: 'spawn' }]);
      }
      return { state: s, effects: s.retryAtMs !== null ? [{ type: 'wake', atMs: s.retryAtMs }] : [] };
    }
    case 'STOPPING':
      return escalateStop(s, now, t);
    default:
      return { state: s, effects: [] };
  }
}

function startingTick(s: ProcState, now: number, t: Timing): Step {
  const dueAt = (s.spawnedAtMs ?? now) + t.restart.startSecsMs;
  const readyDeadline = (s.spawnedAtMs ?? now) + t.readyTimeoutMs;
  if (s.readyAtMs !== null && now >= dueAt) return toRunning(s, now);
  if (s.readyAtMs === null && s.pid !== null && now >= readyDeadline) {
    // STARTING -> STOPPING: never said ready; kill it, its exit counts as a failed start
    const at = now + t.termGraceMs;
    const reason = `not ready within ${t.readyTimeoutMs} ms`;
    return go(s, 'STOPPING', { stopPath: 'kill', escalateAtMs: at, reason, stopIsFailedStart: true }, [
      { type: 'signal', signal: 'SIGKILL' },
    ]);
  }
  // An early tick (timers and the wall clock drift apart by a millisecond or so): wake again.
  return { state: s, effects: [{ type: 'wake', atMs: s.readyAtMs !== null ? dueAt : readyDeadline }] };
}
