// Messages between the fleet's parent (fleet.ts) and its serving children (fleet-child.ts), and the
// per-endpoint counters the children keep.

import type { FleetBehaviour } from './fleet-behaviour.js';

export const COUNTER_NAMES = [
  'get',
  'post',
  'other',
  'connections',
  'ok',
  'fail5xx',
  'resets',
  'timeouts',
  'bytesIn',
  'bytesOut',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
/** One array per counter, indexed by endpoint (global index in the parent, slice-local in a child). */
export type Counters = Record<CounterName, number[]>;

export function emptyCounters(n: number): Counters {
  const c = {} as Counters;
  for (const k of COUNTER_NAMES) c[k] = new Array<number>(n).fill(0);
  return c;
}

export type ParentToChild =
  | { type: 'init'; basePort: number; from: number; to: number; behaviour: FleetBehaviour }
  | { type: 'configure'; id: number; behaviour: FleetBehaviour }
  | { type: 'counts'; id: number }
  | { type: 'reset'; id: number }
  | { type: 'stop' };

export type ChildToParent =
  | { type: 'ready' }
  | { type: 'init-failed'; message: string }
  | { type: 'counts'; id: number; from: number; counters: Counters }
  | { type: 'done'; id: number };
