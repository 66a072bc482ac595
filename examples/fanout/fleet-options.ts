// Command-line options describing fleet behaviour, shared by fleet-main.ts and demo.ts.

import { parseFailKinds, parseLatency, type FleetBehaviour } from './fleet-behaviour.js';

export const FLEET_OPTION_SPEC = {
  latency: { type: 'string' },
  'fail-rate': { type: 'string' },
  'fail-kinds': { type: 'string' },
  seed: { type: 'string' },
  size: { type: 'string' },
} as const;

export function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

export function behaviourFromOptions(v: Record<string, string | boolean | undefined>): Partial<FleetBehaviour> {
  const b: Partial<FleetBehaviour> = {};
  if (typeof v.latency === 'string') b.latency = parseLatency(v.latency);
  if (typeof v['fail-rate'] === 'string') {
    const r = Number(v['fail-rate']);
    if (!(r >= 0 && r <= 1)) throw new Error(`--fail-rate must be between 0 and 1, got ${v['fail-rate']}`);
    b.failRate = r;
  }
  if (typeof v['fail-kinds'] === 'string') b.failKinds = parseFailKinds(v['fail-kinds']);
  if (typeof v.seed === 'string') b.seed = intOption('seed', v.seed, 1);
  if (typeof v.size === 'string') b.sizeBytes = intOption('size', v.size, 1024);
  return b;
}
