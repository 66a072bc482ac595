// Whether the durable store accepts commits: one small state machine (OK <-> FAILING), pure. While
// FAILING, background submissions are refused with QUEUE_ERROR and a probe is retried with backoff.

export type StoreHealth =
  | { state: 'ok'; sinceMs: number }
  | { state: 'failing'; sinceMs: number; error: string; attempts: number; retryAtMs: number };

export type HealthEvent = { type: 'committed'; nowMs: number } | { type: 'failed'; nowMs: number; error: string };

export type HealthEffect = { type: 'retry'; delayMs: number } | { type: 'log'; line: string };

export const RETRY_MIN_MS = 100;
export const RETRY_MAX_MS = 5_000;

export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempts - 1, 16));
}

export function nextHealth(
  health: StoreHealth,
  event: HealthEvent,
  name: string,
): { health: StoreHealth; effects: HealthEffect[] } {
  if (event.type === 'committed') {
    if (health.state === 'ok') return { health, effects: [] };
    // FAILING -> OK
    const downMs = event.nowMs - health.sinceMs;
    return {
      health: { state: 'ok', sinceMs: event.nowMs },
      effects: [
        { type: 'log', line: `job store ${name}: writing again after ${downMs} ms (${health.attempts} failed)` },
      ],
    };
  }
  const attempts = health.state === 'failing' ? health.attempts + 1 : 1;
  const delayMs = retryDelayMs(attempts);
  const sinceMs = health.state === 'failing' ? health.sinceMs : event.nowMs;
  // OK -> FAILING, FAILING -> FAILING (one more failed attempt)
  const effects: HealthEffect[] = [{ type: 'retry', delayMs }];
  if (health.state === 'ok' || health.error !== event.error) {
    effects.unshift({
      type: 'log',
      line: `job store ${name}: commit failed: ${event.error}; refusing background jobs, retrying in ${delayMs} ms`,
    });
  }
  return {
    health: { state: 'failing', sinceMs, error: event.error, attempts, retryAtMs: event.nowMs + delayMs },
    effects,
  };
}
