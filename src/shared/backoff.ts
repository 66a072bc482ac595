// Capped exponential backoff with jitter: a pure function of the attempt number and a random source.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Multiplier per attempt; 2 doubles. */
  factor?: number;
  /** Fraction of the delay randomised, 0..1 (0.2 gives +-20 %). */
  jitter?: number;
}

/** Delay before retry number `attempt` (0-based). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const factor = policy.factor ?? 2;
  const base = Math.min(policy.maxMs, policy.initialMs * factor ** Math.max(0, attempt));
  const jitter = policy.jitter ?? 0.2;
  const spread = base * jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
