// Samplers measure and decide nothing: CPU/RSS of the daemon and every worker process (one pidusage
// call), each job server's `workers` (who is registered) and `status` (queues), the machine's load and
// free memory. The SampleLoop runs them once per interval on the Clock and hands each round to the
// deciding side (health-check.ts, autoscaler.ts).

import { readFileSync } from 'node:fs';
import { availableParallelism, freemem, loadavg } from 'node:os';
import pidusage from 'pidusage';
import { adminStatus, adminWorkers } from '../client/index.js';
import type { QueueInfo } from '../control/snapshot.js';
import type { WorkerLine } from '../protocol/admin-text.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { MachineReading } from './autoscale-decision.js';

/** CPU and memory of one process. */
export interface UsageSample {
  cpuPercent: number;
  rssBytes: number;
}

export interface ServerSample {
  address: string;
  reachable: boolean;
  error: string | null;
  /** The server's `workers` lines; null when it could not be polled. */
  workers: WorkerLine[] | null;
  queues: QueueInfo[];
}

export interface Samples {
  /** When the round's results were all in. */
  takenAtMs: number;
  /** Per worker pid; a pid that exited meanwhile is missing. */
  usage: Map<number, UsageSample>;
  daemon: UsageSample | null;
  servers: ServerSample[];
  machine: MachineReading;
}

/** What to sample this round (asked anew each time: processes and servers come and go). */
export interface SampleTargets {
  pids: number[];
  servers: string[];
}

const POLL_TIMEOUT_MS = 900;

function toUsage(stat: { cpu: number; memory: number } | undefined): UsageSample | null {
  return stat ? { cpuPercent: Math.round(stat.cpu * 10) / 10, rssBytes: stat.memory } : null;
}

/** CPU/RSS per pid in one pidusage call (one call per pid when one of them exited while listing). */
export async function sampleUsage(pids: number[]): Promise<Map<number, UsageSample>> {
  let stats: Record<string, { cpu: number; memory: number } | undefined>;
  try {
    stats = await pidusage(pids);
  } catch {
    // One pid exited between listing and sampling (pidusage fails the whole call): ask one by one.
    stats = {};
    await Promise.all(
      pids.map(async (pid) => {
        stats[pid] = await pidusage(pid).catch(() => undefined); // exited: no sample, not an error
      }),
    );
  }
  const out = new Map<number, UsageSample>();
  for (const pid of pids) {
    const u = toUsage(stats[pid]);
    if (u) out.set(pid, u);
  }
  return out;
}

/**
 * Load average, cores and available memory. Memory is /proc/meminfo's MemAvailable (what new processes
 * can get without swapping); os.freemem() where that file is missing.
 */
export function sampleMachine(): MachineReading {
  let availableMemoryBytes = freemem();
  try {
    const kb = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (kb !== undefined) availableMemoryBytes = Number(kb) * 1024;
  } catch {
    // Not Linux: os.freemem() it is (libuv reads the platform's own figure).
  }
  return { loadAvg1: loadavg()[0] ?? 0, cpuCount: availableParallelism(), availableMemoryBytes };
}

/** A job server's `workers` and `status`; unreachable is a sample too (with the reason). */
export async function sampleServer(address: string, timeoutMs = POLL_TIMEOUT_MS): Promise<ServerSample> {
  try {
    const opts = { replyTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs };
    const [workers, status] = await Promise.all([adminWorkers(address, opts), adminStatus(address, opts)]);
    const queues = status.map((f) => ({
      function: f.name,
      queued: Math.max(0, f.total - f.running),
      running: f.running,
      availableWorkers: f.availableWorkers,
    }));
    return { address, reachable: true, error: null, workers, queues };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { address, reachable: false, error, workers: null, queues: [] };
  }
}

export interface SampleLoopOptions {
  clock: Clock;
  intervalMs: number;
  targets: () => SampleTargets;
  onSamples: (samples: Samples) => void;
  /** A round that failed as a whole (a bug in a consumer, never an unreachable server). */
  onError: (err: unknown) => void;
}

/** Samples at once, then `intervalMs` after each round ends: a slow round never stacks up. */
export class SampleLoop {
  private timer: TimerHandle | null = null;
  private running = false;
  private stopped = true;

  constructor(private readonly opts: SampleLoopOptions) {}

  start(): void {
    this.stopped = false;
    void this.round();
  }

  stop(): void {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One round now; resolves when its samples were handed over. A round already running is not doubled. */
  async round(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { pids, servers } = this.opts.targets();
      const [usage, serverSamples] = await Promise.all([
        sampleUsage([process.pid, ...pids]),
        Promise.all(servers.map((a) => sampleServer(a))),
      ]);
      const daemon = usage.get(process.pid) ?? null;
      usage.delete(process.pid);
      if (this.stopped) return;
      const machine = sampleMachine();
      this.opts.onSamples({ takenAtMs: this.opts.clock.now(), usage, daemon, servers: serverSamples, machine });
    } catch (err) {
      this.opts.onError(err);
    } finally {
      this.running = false;
      this.scheduleNext();
    }
  }

  private scheduleNext(): void {
    if (this.stopped || this.timer) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      void this.round();
    }, this.opts.intervalMs);
  }
}
