// The errors the daemon meets while acting on workers in the background (a failed replace, removal,
// rolling restart or reload; a malformed IPC message): each is logged with the worker's name and
// counted, per worker and in total, for the Snapshot. Nothing fails silently.

export class ErrorTally {
  private readonly byWorker = new Map<string, number>();
  private totalCount = 0;

  constructor(private readonly log: (line: string, worker: string | null) => void) {}

  /** `context` says what failed and on which instance ("reverse/1/4242: replace"). */
  record(worker: string | null, context: string, err: unknown): void {
    this.totalCount++;
    if (worker !== null) this.byWorker.set(worker, (this.byWorker.get(worker) ?? 0) + 1);
    const message = err instanceof Error ? err.message : String(err);
    this.log(`error: ${context}: ${message}`, worker);
  }

  countFor(worker: string): number {
    return this.byWorker.get(worker) ?? 0;
  }

  get total(): number {
    return this.totalCount;
  }
}
