// The in-process worker runtime: one ServerLink per job server, a shared pool of `concurrency` slots,
// jobs run through one JobHandler, graceful drain on stop. Owns slot accounting; links own protocol.

import { hostname } from 'node:os';
import type { ChildMessage } from './ipc-messages.js';
import type { JobHandler } from './job-context.js';
import type { AssignedJob, Registration } from './connection-fsm.js';
import { outstandingGrabs, wantsGrab } from './connection-fsm.js';
import { ServerLink, DEFAULT_RECONNECT_BACKOFF, type LinkHooks } from './server-link.js';
import { runJob, type RunningJob } from './job-run.js';
import type { GearmanConnection } from '../transport/gearman-connection.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import { GmsupError } from '../shared/errors.js';
import { parseHostPort } from '../shared/host-port.js';
import { keepaliveProblem, resolveKeepalive, type KeepaliveOption } from '../shared/tcp-keepalive.js';

export interface RuntimeOptions {
  function: string;
  servers: string[];
  handler: JobHandler;
  concurrency: number;
  timeoutMs: number | null;
  maxJobs: number | null;
  stopTimeoutMs: number;
  clientId: string;
  /** true: WORK_EXCEPTION with text; false: plain WORK_FAIL; undefined: exceptions only to gmsup servers. */
  sendExceptions?: boolean;
  backoff?: BackoffPolicy;
  /** TCP keepalive on every job server connection (default DEFAULT_KEEPALIVE; false = off). */
  keepalive?: KeepaliveOption;
  onEvent?: (msg: ChildMessage) => void;
  log?: (line: string) => void;
}

export type StopReason = 'max-jobs' | 'stopped' | 'parent-gone' | 'error';

export interface RuntimeResult {
  reason: StopReason;
  /** In-flight jobs given up (the server re-queues them). */
  abandonedJobs: number;
  jobsDone: number;
  jobsFailed: number;
}

export function defaultClientId(name: string): string {
  return `${hostname()}:${name}:${process.env.GMSUP_INDEX ?? '0'}:${process.pid}`;
}

export class WorkerRuntime {
  readonly links: ServerLink[];
  readonly done: Promise<RuntimeResult>;
  jobsStarted = 0;
  jobsDone = 0;
  jobsFailed = 0;
  private readonly running = new Set<RunningJob>();
  private draining = false;
  private stopReason: StopReason = 'stopped';
  private stopTimer: NodeJS.Timeout | null = null;
  private finishing = false;
  private rr = 0;
  private pumping = false;
  private resolveDone!: (r: RuntimeResult) => void;
  private readonly log: (line: string) => void;
  private readonly lastReport = new Map<ServerLink, string>();

  constructor(private readonly opts: RuntimeOptions) {
    this.log = opts.log ?? (() => {});
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const registration: Registration = {
      clientId: opts.clientId,
      functions: [{ name: opts.function, timeoutMs: opts.timeoutMs }],
    };
    const hooks: LinkHooks = {
      onJob: (link, job, conn) => this.startJob(link, job, conn),
      onChange: () => this.pump(),
      onReport: (link, connected, registered, error) => {
        // Report changes only: a down server is retried every few hundred ms.
        const key = `${connected}:${registered}`;
        if (this.lastReport.get(link) === key) return;
        const wasUp = this.lastReport.get(link)?.startsWith('true') === true;
        this.lastReport.set(link, key);
        // A lost connection is worth a line (a dead peer found by keepalive says ETIMEDOUT); retries are not.
        if (wasUp && !connected) this.log(`job server ${link.address}: connection lost (${error ?? 'closed'})`);
        this.emit({ type: 'server:state', server: link.address, connected, registered, ...(error ? { error } : {}) });
      },
      log: this.log,
    };
    const keepalive = resolveKeepalive(opts.keepalive);
    const problem = keepalive && keepaliveProblem(keepalive);
    if (problem) throw new GmsupError('USAGE', `worker ${opts.function} keepalive: ${problem}`);
    this.links = opts.servers.map(
      (s) =>
        new ServerLink(parseHostPort(s), registration, hooks, {
          backoff: opts.backoff ?? DEFAULT_RECONNECT_BACKOFF,
          probeVersion: opts.sendExceptions === undefined,
          keepalive,
        }),
    );
  }

  start(): void {
    for (const link of this.links) link.start();
  }

  get inFlight(): number {
    return this.running.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Re-sends CAN_DO on every connected link. */
  reregister(): void {
    for (const link of this.links) link.dispatch({ type: 'reregister' });
  }

  /** Stops grabbing and finishes in-flight jobs within `stopTimeoutMs` (default from options). */
  stop(reason: StopReason = 'stopped', stopTimeoutMs = this.opts.stopTimeoutMs): Promise<RuntimeResult> {
    if (!this.draining) {
      this.draining = true;
      this.stopReason = reason;
      this.emit({ type: 'worker:draining', reason });
      this.stopTimer = setTimeout(() => this.force(), Math.max(0, stopTimeoutMs));
      this.maybeFinish();
    }
    return this.done;
  }

  /** Abandons in-flight jobs now (second signal, or the stop timeout). */
  force(): Promise<RuntimeResult> {
    this.draining = true;
    void this.finish();
    return this.done;
  }

  private emit(msg: ChildMessage): void {
    try {
      this.opts.onEvent?.(msg);
    } catch (err) {
      this.log(`event listener failed: ${String(err)}`);
    }
  }

  private capacity(): number {
    if (this.draining) return 0;
    let outstanding = 0;
    for (const link of this.links) outstanding += outstandingGrabs(link.current);
    let free = this.opts.concurrency - this.running.size - outstanding;
    if (this.opts.maxJobs !== null) free = Math.min(free, this.opts.maxJobs - this.jobsStarted - outstanding);
    return free;
  }

  /** Hands one grant at a time, round-robin over awake links, while slots are free. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const n = this.links.length;
      for (let guard = 0; guard < 10_000; guard++) {
        if (this.capacity() <= 0) break;
        let picked: ServerLink | null = null;
        for (let i = 0; i < n; i++) {
          const link = this.links[(this.rr + i) % n]!; // index < n: links is fixed at construction
          if (wantsGrab(link.current)) {
            picked = link;
            this.rr = (this.rr + i + 1) % n;
            break;
          }
        }
        if (!picked) break;
        picked.dispatch({ type: 'grant' });
      }
    } finally {
      this.pumping = false;
    }
    if (this.draining) this.maybeFinish();
  }

  private startJob(link: ServerLink, job: AssignedJob, conn: GearmanConnection): void {
    this.jobsStarted++;
    const startedAtMs = Date.now();
    this.emit({ type: 'job:start', job: { handle: job.handle, function: job.function, startedAtMs } });
    const running = runJob({
      job,
      conn,
      handler: this.opts.handler,
      timeoutMs: this.opts.timeoutMs,
      sendExceptions: this.opts.sendExceptions ?? link.isGmsupServer,
      onEnd: (ok) => {
        this.running.delete(running);
        if (ok) this.jobsDone++;
        else this.jobsFailed++;
        this.emit({
          type: 'job:end',
          handle: job.handle,
          function: job.function,
          durationMs: Date.now() - startedAtMs,
          ok,
        });
        if (this.opts.maxJobs !== null && this.jobsDone + this.jobsFailed >= this.opts.maxJobs)
          void this.stop('max-jobs');
        this.pump();
      },
      log: (line) => this.log(`${link.address} ${job.handle}: ${line}`),
    });
    if (!running.finished) this.running.add(running);
  }

  private maybeFinish(): void {
    if (!this.draining || this.finishing) return;
    if (this.running.size > 0) return;
    for (const link of this.links) if (outstandingGrabs(link.current) > 0) return;
    void this.finish();
  }

  private async finish(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    if (this.stopTimer) clearTimeout(this.stopTimer);
    const abandoned = [...this.running];
    for (const job of abandoned) job.abandon();
    this.running.clear();
    await Promise.all(this.links.map((l) => l.close()));
    this.resolveDone({
      reason: this.stopReason,
      abandonedJobs: abandoned.length,
      jobsDone: this.jobsDone,
      jobsFailed: this.jobsFailed,
    });
  }
}
