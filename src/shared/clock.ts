// The Clock port: time and timers for code that decides by time (the supervisor's processes, programs,
// spares and samplers). `systemClock` is the real one; `ManualClock` is a deterministic one that tests
// move by hand, so timing logic is tested without sleeping.

/** What `setTimeout` returns; only ever handed back to `clearTimeout` of the same clock. */
export type TimerHandle = object;

export interface Clock {
  now(): number;
  /** Timers never hold the process open (a pending deadline must not keep a stopping daemon alive). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(timer: TimerHandle | null): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (timer) => {
    if (timer !== null) clearTimeout(timer as NodeJS.Timeout);
  },
};

const MAX_TIMERS_PER_ADVANCE = 100_000;

interface ManualTimer {
  readonly seq: number;
  readonly dueAtMs: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told: `advance(ms)` runs every timer that falls due on the way, in due
 * order (ties in the order they were set), with `now()` reading each timer's due time while it runs.
 * Timers set while advancing run in the same call if they fall due within it.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

  constructor(startMs = 1_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { seq: this.seq++, dueAtMs: this.nowMs + Math.max(0, ms), fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(timer: TimerHandle | null): void {
    if (timer !== null) this.timers.delete(timer as ManualTimer);
  }

  /** Timers not yet run. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** When the next timer falls due, or null when none is set. */
  nextDueAtMs(): number | null {
    return this.next()?.dueAtMs ?? null;
  }

  /** Moves time forward by `ms`, running every timer due up to the new time. */
  advance(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  advanceTo(targetMs: number): void {
    // Bounded: a timer that keeps re-arming itself at 0 ms would otherwise never let time move on.
    for (let ran = 0; ; ran++) {
      const t = this.next();
      if (!t || t.dueAtMs > targetMs) break;
      if (ran === MAX_TIMERS_PER_ADVANCE) throw new Error(`ManualClock: over ${ran} timers in one advance (a loop?)`);
      this.timers.delete(t);
      this.nowMs = Math.max(this.nowMs, t.dueAtMs);
      t.fn();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
  }

  private next(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers)
      if (!best || t.dueAtMs < best.dueAtMs || (t.dueAtMs === best.dueAtMs && t.seq < best.seq)) best = t;
    return best;
  }
}
