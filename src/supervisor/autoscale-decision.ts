// PURE autoscaling decision for one worker (docs/autoscale.md): state + the latest sample + the machine
// reading -> up / down / hold, with a reason a person can read ("queue wait 7.2 s > 2 s: +2"). The
// Autoscaler (autoscaler.ts) feeds it one sample a second and applies what it decides.

import { AUTOSCALE_TIMINGS } from '../config/defaults.js';
import type { AutoscaleConfig } from '../config/types.js';
import { estimate, instancesFor, slotsWanted, type Estimate, type ScaleSample } from './autoscale-estimate.js';

export interface MachineReading {
  /** The 1-minute load average. */
  loadAvg1: number;
  cpuCount: number;
  /** Memory the kernel could give new processes (MemAvailable). */
  availableMemoryBytes: number;
}

export interface ScaleInput {
  sample: ScaleSample;
  /** Instance count in force. */
  instances: number;
  /** Of those, RUNNING (serving jobs). */
  ready: number;
  /** Of those, on their way up (STARTING, BACKOFF): a scale-up waits for them. */
  starting: number;
  concurrency: number;
  /** False when none of the worker's job servers answered: `sample.queued` means nothing then. */
  queueKnown: boolean;
  machine: MachineReading | null;
  /** `gmsup scale` pinned the count: measure, decide nothing. */
  pinned: boolean;
}

export interface ScaleState {
  /** The samples of the last max(cooldown, rate window) and one before, oldest first. */
  readonly history: readonly ScaleSample[];
  readonly lastChangeAtMs: number | null;
  /** The first sample seen: a scale-down needs a whole cooldown observed. */
  readonly sinceMs: number | null;
}

export type ScaleAction = 'up' | 'down' | 'hold';

export interface ScaleDecision {
  action: ScaleAction;
  from: number;
  to: number;
  reason: string;
  estimate: Estimate;
  /** Set when the machine guard holds back a scale-up the queue asks for. */
  guard: string | null;
}

type Verdict = Omit<ScaleDecision, 'from' | 'estimate'>;

export function initialScaleState(): ScaleState {
  return { history: [], lastChangeAtMs: null, sinceMs: null };
}

/** `7.2 s`, `2 s`, `110 s`. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}

const slotsText = (n: number) => (n >= 10 ? String(Math.round(n)) : String(Number(n.toFixed(1))));
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

/** Why the machine cannot take more processes now, or null. */
export function guardReason(policy: AutoscaleConfig, m: MachineReading | null): string | null {
  if (!m) return null;
  if (policy.maxLoadPerCore !== null) {
    const limit = m.cpuCount * policy.maxLoadPerCore;
    if (m.loadAvg1 > limit)
      return `load ${m.loadAvg1.toFixed(1)} > ${slotsText(limit)} (${m.cpuCount} cores x ${policy.maxLoadPerCore})`;
  }
  if (policy.minFreeMemoryBytes !== null && m.availableMemoryBytes < policy.minFreeMemoryBytes)
    return `free memory ${mib(m.availableMemoryBytes)} < ${mib(policy.minFreeMemoryBytes)}`;
  return null;
}

export function decideScale(
  policy: AutoscaleConfig,
  state: ScaleState,
  input: ScaleInput,
): { state: ScaleState; decision: ScaleDecision } {
  const now = input.sample.atMs;
  // One sample before the window too: the first interval inside the window needs its start.
  const keepFromMs = now - Math.max(policy.cooldownMs, AUTOSCALE_TIMINGS.rateWindowMs) - 1000;
  const history = [...state.history.filter((s) => s.atMs >= keepFromMs && s.atMs < now), input.sample];
  const next: ScaleState = { history, lastChangeAtMs: state.lastChangeAtMs, sinceMs: state.sinceMs ?? now };
  const est = estimate(history, input.ready * input.concurrency);
  const verdict = judge(policy, next, input, est);
  const decision: ScaleDecision = { ...verdict, from: input.instances, estimate: est };
  return { state: verdict.action === 'hold' ? next : { ...next, lastChangeAtMs: now }, decision };
}

function judge(policy: AutoscaleConfig, state: ScaleState, input: ScaleInput, est: Estimate): Verdict {
  const n = input.instances;
  const { minInstances: min, maxInstances: max } = policy;
  const change = (to: number, why: string): Verdict => ({
    action: to > n ? 'up' : 'down',
    to,
    reason: `${why}: ${to > n ? '+' : ''}${to - n}`,
    guard: null,
  });
  const hold = (reason: string, guard: string | null = null): Verdict => ({ action: 'hold', to: n, reason, guard });
  if (input.pinned) return hold(`pinned at ${n} by gmsup scale`);
  // Bounds first (a reload moved them): the file says so, no pacing.
  if (n < min) return change(min, `below min ${min}`);
  if (n > max) return change(max, `above max ${max}`);
  if (!input.queueKnown) return hold('no job server of this worker answered: queue unknown');
  const now = input.sample.atMs;
  const sinceChangeMs = state.lastChangeAtMs === null ? Number.POSITIVE_INFINITY : now - state.lastChangeAtMs;
  const paced = sinceChangeMs < AUTOSCALE_TIMINGS.minChangeIntervalMs;
  const q = input.sample.queued;
  const c = input.concurrency;

  if (q > 0) {
    const up = scaleUp(policy, input, est);
    if (typeof up === 'string') return hold(up);
    if (up !== null) {
      if (paced) return hold(`${up.why}; last change ${seconds(sinceChangeMs)} ago`);
      if (up.to > n) {
        const guard = guardReason(policy, input.machine);
        // The first instance is never held back: without it the queue would never drain.
        if (guard && n > 0) return hold(`${up.why}; held: ${guard}`, guard);
        return change(guard ? 1 : up.to, up.why);
      }
      return hold(up.why);
    }
  }

  // Down: only after a whole cooldown without a change, in which the slots wanted (busy + queued)
  // never needed the instances that go; never below what keeps up with the jobs arriving.
  const waitText =
    est.waitMs === null ? `${q} queued` : `queue wait ${seconds(est.waitMs)} <= ${seconds(policy.targetWaitMs)}`;
  if (n <= min) return hold(q === 0 ? 'queue empty' : waitText);
  const coolMs = Math.max(policy.cooldownMs, AUTOSCALE_TIMINGS.minChangeIntervalMs);
  const observedMs = now - (state.sinceMs ?? now);
  if (sinceChangeMs < coolMs || observedMs < policy.cooldownMs) {
    const leftMs = Math.max(coolMs - sinceChangeMs, policy.cooldownMs - observedMs);
    return hold(`${q === 0 ? 'queue empty' : waitText}; cooldown ${seconds(leftMs)} left`);
  }
  let peak = 0;
  let queuedAtMs: number | null = null;
  const h = state.history;
  for (let i = 1; i < h.length; i++) {
    const prev = h[i - 1]!;
    const cur = h[i]!;
    if (cur.atMs <= now - policy.cooldownMs) continue;
    peak = Math.max(peak, slotsWanted(prev, cur));
    if (Math.max(prev.queued, cur.queued) > 0) queuedAtMs = cur.atMs;
  }
  const keepUpSlots = ((est.arrivalsPerSec ?? 0) * (est.jobMs ?? 0)) / 1000;
  const to = Math.max(min, instancesFor(peak, c), instancesFor(keepUpSlots, c));
  const cooldown = seconds(policy.cooldownMs);
  const busy = `at most ${slotsText(peak)} of ${n * c} slots busy for ${cooldown}`;
  if (to < n) return change(to, `idle: ${busy}`);
  if (queuedAtMs !== null) {
    const emptyFor = q > 0 ? waitText : `queue empty for ${seconds(now - queuedAtMs)} of the ${cooldown} cooldown`;
    return hold(emptyFor);
  }
  return hold(`${busy}: none idle`);
}

/**
 * The scale-up the queue asks for: null when the wait is within the target, a string when it cannot be
 * judged or acted on (why), else the target count with the reason. Target: enough slots that the queue
 * ahead of a new job drains within target_wait.
 */
function scaleUp(
  policy: AutoscaleConfig,
  input: ScaleInput,
  est: Estimate,
): { to: number; why: string } | string | null {
  const n = input.instances;
  const q = input.sample.queued;
  // Slots for the queue to drain within the target. Arrivals are not added: right after a burst they
  // count the burst itself a second time; if jobs keep coming faster, the queue grows and asks again.
  const slotsNeeded = est.jobMs === null ? null : (q * est.jobMs) / policy.targetWaitMs;
  const target = (min: number) =>
    Math.min(policy.maxInstances, Math.max(min, slotsNeeded === null ? 0 : Math.ceil(slotsNeeded / input.concurrency)));
  if (n === 0) return { to: target(1), why: `${q} queued and no instance` };
  if (est.waitMs === null)
    return input.ready === 0 ? `${q} queued, no instance running yet` : `${q} queued, measuring the job time`;
  if (est.waitMs <= policy.targetWaitMs) return null;
  const atLeast = est.jobMsIsLowerBound ? '>= ' : '';
  const why = `queue wait ${atLeast}${seconds(est.waitMs)} > ${seconds(policy.targetWaitMs)}`;
  const to = target(n);
  if (to > n && input.starting > 0) return `${why}; ${input.starting} instance(s) starting`;
  if (to > n) return { to, why };
  if (n >= policy.maxInstances) return `${why}; at max ${policy.maxInstances}`;
  return `${why}; ${n - input.ready} instance(s) not running`;
}

/**
 * The flapping bound (docs/autoscale.md): changes are at least minChangeIntervalMs apart and a scale-down
 * comes at least max(cooldown, minChangeIntervalMs) after the change before it, so any 60 s holds at most
 * this many changes of the count, and at most `maxScaleDownsPerMinute` of them are scale-downs (each
 * direction reversal includes a scale-down).
 */
export function maxChangesPerMinute(): number {
  return Math.ceil(60_000 / AUTOSCALE_TIMINGS.minChangeIntervalMs);
}

export function maxScaleDownsPerMinute(policy: AutoscaleConfig): number {
  return Math.ceil(60_000 / Math.max(policy.cooldownMs, AUTOSCALE_TIMINGS.minChangeIntervalMs));
}
