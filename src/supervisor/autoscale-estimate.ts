// PURE measurements for the autoscaler: from a worker's recent samples, its completion rate, the time a
// job takes (the durations its workers report), the arrival rate, the wait a new job would have, and
// how many job slots were busy between two samples. No decisions here (autoscale-decision.ts decides).

import { AUTOSCALE_TIMINGS } from '../config/defaults.js';

/** One reading of a worker, taken once a second. The counters are cumulative since the daemon started. */
export interface ScaleSample {
  atMs: number;
  /** Jobs waiting for the worker's function on its job servers (summed over the reachable ones). */
  queued: number;
  /** Jobs its instances reported finished (ok or failed). */
  ended: number;
  /** Sum of the durations of those jobs. */
  jobMsTotal: number;
  /** The same sum with each duration cut at AUTOSCALE_TIMINGS.longJobMs (see busySlots). */
  busyMsTotal: number;
  /** Jobs in flight for longer than longJobMs now. */
  longRunning: number;
  /** Age of the oldest job in flight, null when none runs. */
  oldestJobAgeMs: number | null;
}

export interface Estimate {
  /** Jobs finished per second over the rate window; null until two samples span half a second. */
  completedPerSec: number | null;
  /** Mean time a job takes; null when nothing was measured yet. */
  jobMs: number | null;
  /** True when no job finished yet and jobMs is only the age of the oldest one running (a lower bound). */
  jobMsIsLowerBound: boolean;
  /** Jobs arriving per second (finished + queue growth), never negative; null with completedPerSec. */
  arrivalsPerSec: number | null;
  /** How long a job queued now would wait for a slot; null when unknown (no capacity or no measurement). */
  waitMs: number | null;
}

const MIN_SPAN_MS = 500;

/** Samples from `history` (oldest first, ending with the current one) that fall into the rate window. */
function rateWindow(history: readonly ScaleSample[], nowMs: number): readonly ScaleSample[] {
  const from = nowMs - AUTOSCALE_TIMINGS.rateWindowMs;
  const i = history.findIndex((s) => s.atMs >= from);
  return i < 0 ? [] : history.slice(i);
}

/**
 * The estimate at the latest sample of `history` for `slots` job slots ready (instances RUNNING x
 * concurrency). Wait = queued x job time / slots: the time the slots need to get through the queue ahead.
 */
export function estimate(history: readonly ScaleSample[], slots: number): Estimate {
  const now = history.at(-1);
  const unknown: Estimate = {
    completedPerSec: null,
    jobMs: null,
    jobMsIsLowerBound: false,
    arrivalsPerSec: null,
    waitMs: now?.queued === 0 ? 0 : null,
  };
  if (!now) return unknown;
  const win = rateWindow(history, now.atMs);
  const first = win[0] ?? now;
  const spanMs = now.atMs - first.atMs;
  if (spanMs < MIN_SPAN_MS) return unknown;
  const done = now.ended - first.ended;
  const completedPerSec = (done * 1000) / spanMs;
  const arrivalsPerSec = Math.max(0, completedPerSec + ((now.queued - first.queued) * 1000) / spanMs);
  // The job time: the rate window's finished jobs, else all the history kept, else a lower bound from
  // the oldest job still running (long jobs that have not finished in the window).
  const oldest = history[0] ?? now;
  let jobMs: number | null = null;
  let jobMsIsLowerBound = false;
  if (done > 0) jobMs = (now.jobMsTotal - first.jobMsTotal) / done;
  else if (now.ended > oldest.ended) jobMs = (now.jobMsTotal - oldest.jobMsTotal) / (now.ended - oldest.ended);
  if (done === 0 && now.oldestJobAgeMs !== null && (jobMs === null || now.oldestJobAgeMs > jobMs)) {
    jobMs = now.oldestJobAgeMs;
    jobMsIsLowerBound = true;
  }
  let waitMs: number | null = null;
  if (now.queued === 0) waitMs = 0;
  else if (jobMs !== null && slots > 0) waitMs = (now.queued * jobMs) / slots;
  return { completedPerSec, jobMs, jobMsIsLowerBound, arrivalsPerSec, waitMs };
}

/**
 * Job slots busy on average between two samples: finished jobs' durations (each cut at longJobMs) over
 * the interval, plus the jobs running longer than longJobMs now. Short jobs count by the time they took,
 * so the batching of job reports does not inflate the figure; long ones count while they run.
 */
export function busySlots(prev: ScaleSample, cur: ScaleSample): number {
  const dtMs = cur.atMs - prev.atMs;
  if (dtMs <= 0) return cur.longRunning;
  return (cur.busyMsTotal - prev.busyMsTotal) / dtMs + cur.longRunning;
}

/**
 * Slots wanted in one interval: the busy ones plus one for every job queued at either end (a queue at
 * the start kept every slot busy for part of the interval, which the average alone would hide).
 */
export function slotsWanted(prev: ScaleSample, cur: ScaleSample): number {
  return busySlots(prev, cur) + Math.max(prev.queued, cur.queued);
}

/** Instances for `slots` job slots; a tenth of an instance over a whole number is jitter, not a need. */
export function instancesFor(slots: number, concurrency: number): number {
  return Math.max(0, Math.ceil(slots / concurrency - 0.1));
}
