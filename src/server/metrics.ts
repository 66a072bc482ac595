// The job server's own counters for /metrics: jobs by function and priority, run-time histograms and the
// store's commit latency. Hot-path cost is a few integer increments on preallocated arrays, never an
// allocation per job; the HTTP layer reads these at scrape time and formats them.

/** Upper bounds (seconds) of the job run-time histogram: 1 ms to 30 min. */
export const JOB_DURATION_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800,
] as const;
/** Upper bounds (seconds) of the store commit latency histogram: 0.5 ms to 10 s. */
export const COMMIT_DURATION_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
] as const;

/** A cumulative-on-read histogram: per-bucket counts (last slot = above every bound), sum and count. */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly boundsS: readonly number[]) {
    this.counts = new Array<number>(boundsS.length + 1).fill(0);
  }

  observe(seconds: number): void {
    const b = this.boundsS;
    let i = 0;
    while (i < b.length && seconds > b[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

/** Per function: jobs by priority (index 0 high, 1 normal, 2 low) and how long they ran. */
export class FunctionCounters {
  /** New jobs created by a submission. */
  readonly submitted = [0, 0, 0];
  /** Submissions that joined an existing job with the same unique instead of creating one. */
  readonly coalesced = [0, 0, 0];
  readonly completed = [0, 0, 0];
  /** WORK_FAIL from a worker, or a failure the server decided (retry limit, `cancel job`). */
  readonly failed = [0, 0, 0];
  readonly exceptions = [0, 0, 0];
  /** Assignment to the worker's result, for jobs that ended with a worker's result. */
  readonly duration = new Histogram(JOB_DURATION_BUCKETS_S);
}

/** What the counters need of a function entry: its name and a slot to cache its counters in. */
export interface Counted {
  readonly name: string;
  counters: FunctionCounters | null;
}

/** A job as the counters see it. */
export interface CountedJob {
  readonly fn: Counted;
  readonly priority: number;
  /** runClock() when a worker took it; -1 when it never ran. */
  startedMs: number;
}

/**
 * Milliseconds on a monotonic clock, wrapped to 2^30 so the value stays a small integer (a float would
 * box a heap number per job). Differences are taken modulo the wrap: runs over 12 days are misfiled.
 */
const WRAP_MS = 2 ** 30;
export function runClock(): number {
  return Math.floor(performance.now()) % WRAP_MS;
}

export class ServerMetrics {
  /** Counters by function name: they survive `drop function` and a function coming back. */
  private readonly byName = new Map<string, FunctionCounters>();
  readonly commitDuration = new Histogram(COMMIT_DURATION_BUCKETS_S);

  of(fn: Counted): FunctionCounters {
    let c = fn.counters;
    if (c === null) {
      c = this.byName.get(fn.name) ?? new FunctionCounters();
      this.byName.set(fn.name, c);
      fn.counters = c;
    }
    return c;
  }

  functions(): IterableIterator<[string, FunctionCounters]> {
    return this.byName.entries();
  }

  submitted(fn: Counted, priority: number): void {
    this.of(fn).submitted[priority]!++;
  }

  coalesced(fn: Counted, priority: number): void {
    this.of(fn).coalesced[priority]!++;
  }

  completed(job: CountedJob): void {
    const c = this.of(job.fn);
    c.completed[job.priority]!++;
    this.ran(c, job);
  }

  failed(job: CountedJob): void {
    const c = this.of(job.fn);
    c.failed[job.priority]!++;
    this.ran(c, job);
  }

  exception(job: CountedJob): void {
    const c = this.of(job.fn);
    c.exceptions[job.priority]!++;
    this.ran(c, job);
  }

  /** A durable store's group commit took this long (called by the store). */
  commitTook(seconds: number): void {
    this.commitDuration.observe(seconds);
  }

  private ran(c: FunctionCounters, job: CountedJob): void {
    if (job.startedMs < 0) return;
    const ms = (runClock() - job.startedMs + WRAP_MS) % WRAP_MS;
    c.duration.observe(ms / 1000);
  }
}
