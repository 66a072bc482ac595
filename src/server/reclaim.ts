// Gives the memory of large payloads back once the server goes quiet. V8 frees a dead Buffer's memory
// only at its next garbage collection, and an idle server allocates nothing that would trigger one: after
// a burst of large jobs their payloads stayed resident for good (one 64 MiB job left 262 MiB). Once no large
// payload arrived for `idleMs`, this runs one full collection; while large payloads are still alive after it
// (jobs queued or running), it looks again later, backing off, until they are gone.

import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Large-payload bytes (allocated, or still alive after a collection) below which nothing is worth collecting. */
export const RECLAIM_MIN_BYTES = 8 * 1024 * 1024;
/** Longest wait between two looks while large payloads are still alive. */
const MAX_RECHECK_MS = 60_000;

let fullGc: (() => void) | null | undefined;

/** The isolate's gc() without `--expose-gc` on the command line (null when the runtime refuses). */
function gcFunction(): (() => void) | null {
  if (fullGc !== undefined) return fullGc;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    fullGc = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    fullGc = null;
  }
  return fullGc;
}

const externalBytes = (): number => getHeapStatistics().external_memory;

export class MemoryReclaimer {
  private pending = false;
  private lastAllocationMs = 0;
  private recheckMs: number;
  private timer: NodeJS.Timeout | null = null;
  /** Memory outside the JS heap when the server started: what stays after every payload is gone. */
  private readonly baselineBytes = externalBytes();
  /** Collections run (tests, logs). */
  collections = 0;

  constructor(
    private readonly idleMs: number,
    private readonly log?: (line: string) => void,
  ) {
    this.recheckMs = idleMs;
  }

  /** A large payload was allocated: collect once the server has been quiet for idleMs. */
  readonly noteAllocated = (bytes: number): void => {
    if (this.idleMs <= 0 || bytes < 0) return;
    this.lastAllocationMs = Date.now();
    this.recheckMs = this.idleMs;
    this.pending = true;
    if (this.timer === null) this.arm(this.idleMs);
  };

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.check(), delayMs);
    this.timer.unref();
  }

  private check(): void {
    this.timer = null;
    const quietMs = Date.now() - this.lastAllocationMs;
    if (quietMs < this.idleMs) {
      this.arm(this.idleMs - quietMs); // still busy: V8's own heuristics collect meanwhile
      return;
    }
    if (!this.pending) return;
    const gc = gcFunction();
    if (gc === null) {
      this.pending = false;
      this.log?.('cannot run a garbage collection to give large payloads back (gc unavailable)');
      return;
    }
    this.collections++;
    gc();
    // Payloads of jobs still queued or running survive: look again later, less and less often.
    if (externalBytes() - this.baselineBytes >= RECLAIM_MIN_BYTES) {
      this.recheckMs = Math.min(this.recheckMs * 2, MAX_RECHECK_MS);
      this.arm(this.recheckMs);
    } else {
      this.pending = false;
    }
  }
}
