// The data of the instance state machine (process-state.ts is its reducer): the state record, events,
// effects, timings, and the small helpers every branch uses to move between states. Pure.

import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import type { ProgramConfig, RestartPolicy } from '../config/types.js';
import type { InstanceState } from '../control/snapshot.js';

export type StopPath = 'drain' | 'term' | 'kill';

export interface ProcState {
  /** Which of the states (STOPPED, STARTING, ...) the machine is in; the other fields are its data. */
  stateName: InstanceState;
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

/** The timings of a program's instances: its own settings, bounded by the fixed SUPERVISOR_TIMINGS. */
export function timingFor(p: ProgramConfig): Timing {
  return {
    restart: p.restart,
    stopTimeoutMs: p.spec.stopTimeoutMs,
    termGraceMs: SUPERVISOR_TIMINGS.termGraceMs,
    readyTimeoutMs: SUPERVISOR_TIMINGS.readyTimeoutMs,
    stableMs: Math.max(SUPERVISOR_TIMINGS.stableMinMs, p.restart.startSecsMs),
    drainSlackMs: SUPERVISOR_TIMINGS.drainSlackMs,
  };
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
    stateName: 'STOPPED',
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

export function assertIn(s: ProcState, event: string, allowed: InstanceState[]): void {
  if (!allowed.includes(s.stateName))
    throw new TransitionError(`event ${event} not allowed in state ${s.stateName} (allowed: ${allowed.join(', ')})`);
}

export function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit ${code ?? '?'}`;
}

/** Moves to `to`, emitting a state effect; fields in `patch` are applied too. */
export function go(s: ProcState, to: InstanceState, patch: Partial<ProcState>, effects: ProcEffect[]): Step {
  const next = { ...s, ...patch, stateName: to };
  return {
    state: next,
    effects: s.stateName === to ? effects : [{ type: 'state', from: s.stateName, to }, ...effects],
  };
}

/** The fields a fresh spawn starts from. */
export function spawnPatch(now: number): Partial<ProcState> {
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

/** A start by hand (or a restart request on a settled instance): the failed-start count starts over. */
export function startByHand(s: ProcState, now: number): Step {
  assertIn(s, 'start', ['STOPPED', 'EXITED', 'FATAL', 'BACKOFF']);
  // STOPPED|EXITED|FATAL|BACKOFF -> STARTING
  return go(s, 'STARTING', { ...spawnPatch(now), failedStarts: 0, reason: null, restartAfterStop: false }, [
    { type: 'spawn' },
  ]);
}
