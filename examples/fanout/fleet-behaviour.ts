// Pure decisions of the fleet simulator: parsing and sampling latency specs, and which request fails
// and how. Failures are a deterministic function of (seed, endpoint, request number), so a run repeats.

export type LatencySpec =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'normal'; meanMs: number; sdMs: number };

export type FailureKind = '5xx' | 'reset' | 'timeout';
export const FAILURE_KINDS: readonly FailureKind[] = ['5xx', 'reset', 'timeout'];

export interface FleetBehaviour {
  latency: LatencySpec;
  /** Probability 0..1 that a request fails. */
  failRate: number;
  failKinds: FailureKind[];
  seed: number;
  /** GET response body size. */
  sizeBytes: number;
}

export const DEFAULT_BEHAVIOUR: FleetBehaviour = {
  latency: { kind: 'fixed', ms: 50 },
  failRate: 0,
  failKinds: ['5xx', 'reset', 'timeout'],
  seed: 1,
  sizeBytes: 1024,
};

/** `50`, `fixed:50`, `uniform:20-80`, `normal:50,10`. */
export function parseLatency(text: string): LatencySpec {
  const t = text.trim();
  const num = (s: string | undefined): number => {
    const v = Number(s);
    if (s === undefined || s.trim() === '' || !Number.isFinite(v) || v < 0)
      throw new Error(`bad latency ${JSON.stringify(text)}: ${JSON.stringify(s)} is not a number of ms >= 0`);
    return v;
  };
  if (/^[\d.]+$/.test(t)) return { kind: 'fixed', ms: num(t) };
  const [kind, rest = ''] = t.split(':', 2);
  if (kind === 'fixed') return { kind: 'fixed', ms: num(rest) };
  if (kind === 'uniform') {
    const [a, b] = rest.split('-');
    const minMs = num(a);
    const maxMs = num(b);
    if (maxMs < minMs) throw new Error(`bad latency ${JSON.stringify(text)}: max below min`);
    return { kind: 'uniform', minMs, maxMs };
  }
  if (kind === 'normal') {
    const [a, b] = rest.split(',');
    return { kind: 'normal', meanMs: num(a), sdMs: num(b) };
  }
  throw new Error(`bad latency ${JSON.stringify(text)}: use MS, fixed:MS, uniform:MIN-MAX or normal:MEAN,SD`);
}

export function formatLatency(l: LatencySpec): string {
  if (l.kind === 'fixed') return `${l.ms}`;
  if (l.kind === 'uniform') return `uniform:${l.minMs}-${l.maxMs}`;
  return `normal:${l.meanMs},${l.sdMs}`;
}

export function sampleLatencyMs(l: LatencySpec, random: () => number = Math.random): number {
  if (l.kind === 'fixed') return l.ms;
  if (l.kind === 'uniform') return l.minMs + random() * (l.maxMs - l.minMs);
  // Box-Muller; clamped at 0 since a negative delay means "at once".
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return Math.max(0, l.meanMs + z * l.sdMs);
}

export function parseFailKinds(text: string): FailureKind[] {
  const kinds = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const k of kinds)
    if (!FAILURE_KINDS.includes(k as FailureKind))
      throw new Error(`bad failure kind ${JSON.stringify(k)}: use ${FAILURE_KINDS.join(', ')}`);
  if (kinds.length === 0) throw new Error('no failure kinds given');
  return kinds as FailureKind[];
}

/** 32-bit integer mix (murmur3 finaliser): cheap and well spread. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether request number `nth` (0-based) to endpoint `index` fails, and how. */
export function failureFor(b: FleetBehaviour, index: number, nth: number): FailureKind | null {
  if (b.failRate <= 0 || b.failKinds.length === 0) return null;
  const h = mix(mix(mix(b.seed ^ 0x9e3779b9) ^ index) ^ Math.imul(nth + 1, 0x27d4eb2d));
  if (h / 0x1_0000_0000 >= b.failRate) return null;
  return b.failKinds[mix(h) % b.failKinds.length]!; // failKinds is not empty (checked above)
}
