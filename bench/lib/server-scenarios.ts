// The server benchmark's scenarios, each run against one fresh server process: foreground echo
// (throughput + latency), background submit + drain, the deep queue (memory, O(1) submit/grab), and a
// client that never reads its replies beside ordinary ones (memory, their worst stall).

import net from 'node:net';
import { encodeReq } from '../../src/protocol/codec.js';
import { PacketType } from '../../src/protocol/packet-types.js';
import { runLoadgen, startWorkers, type LoadgenResult } from './loadgen-build.js';
import { cpuSeconds, memInfo, queuedJobs, startTarget, waitForWorkers, type TargetSpec } from './server-targets.js';

export interface ServerBenchSizes {
  clients: number;
  workers: number;
  /** Length of one timed foreground round. */
  fgRoundSeconds: number;
  largeBytes: number;
  bgJobs: number;
  deepJobs: number;
  /** Jobs submitted/drained to measure rates while shallow and while deep. */
  probeJobs: number;
  /** Upper bound on filling the deep queue (gearmand's default hashtable needs far longer than 1M allows). */
  fillMaxSeconds: number;
  phaseMaxSeconds: number;
}

export interface FgResult {
  run: LoadgenResult;
  peakRssBytes: number;
  /** Server CPU (user + system) per completed job during the measured run: steadier than jobs/s on a busy machine. */
  cpuMicrosPerJob: number;
}

function perJobMicros(cpuBeforeS: number, pid: number, jobs: number): number {
  return jobs > 0 ? ((cpuSeconds(pid) - cpuBeforeS) * 1e6) / jobs : NaN;
}

const PAYLOAD_BYTES = 100;

async function withTarget<T>(spec: TargetSpec, body: (port: number, pid: number) => Promise<T>): Promise<T> {
  const t = await startTarget(spec);
  try {
    return await body(t.port, t.pid);
  } finally {
    await t.stop();
  }
}

/** Submits and drains a few background jobs on a separate function: JIT and buffers warm, queue left empty. */
async function warmUp(bin: string, port: number, s: ServerBenchSizes, jobs: number): Promise<void> {
  const fn = 'bench_warm';
  const submitted = await runLoadgen(bin, 'bg', {
    port,
    fn,
    threads: s.clients,
    jobs,
    sizeBytes: PAYLOAD_BYTES,
    maxSeconds: s.phaseMaxSeconds,
  });
  await runLoadgen(bin, 'work', { port, fn, threads: s.workers, jobs: submitted.jobs, maxSeconds: s.phaseMaxSeconds });
}

function checked(r: LoadgenResult, what: string): LoadgenResult {
  if (r.errors > 0) process.stderr.write(`bench: ${what}: ${r.errors} loadgen errors\n`);
  return r;
}

/**
 * One foreground round the way an outside tester runs it: a fresh server, no warm-up, one load generator
 * process with 16 client threads doing synchronous jobs and 4 echo worker threads, for fgRoundSeconds.
 * The server's JIT warm-up, and whatever else the machine runs, are part of the figure.
 */
export async function foregroundEcho(
  bin: string,
  spec: TargetSpec,
  s: ServerBenchSizes,
  sizeBytes: number,
): Promise<FgResult> {
  return withTarget(spec, async (port, pid) => {
    const cpuBeforeS = cpuSeconds(pid);
    const run = checked(
      await runLoadgen(bin, 'fg', {
        port,
        fn: 'bench_fg',
        threads: s.clients,
        workers: s.workers,
        jobs: 0,
        sizeBytes,
        maxSeconds: s.fgRoundSeconds,
      }),
      `${spec.name} fg`,
    );
    return { run, peakRssBytes: memInfo(pid).peakRssBytes, cpuMicrosPerJob: perJobMicros(cpuBeforeS, pid, run.jobs) };
  });
}

export interface BgResult {
  submit: LoadgenResult;
  drain: LoadgenResult;
  submitCpuMicrosPerJob: number;
  drainCpuMicrosPerJob: number;
}

/**
 * On a fresh server (no warm-up): bgJobs background submits from 16 clients (one round trip each), then
 * 4 workers drain them all.
 */
export async function backgroundSubmitDrain(bin: string, spec: TargetSpec, s: ServerBenchSizes): Promise<BgResult> {
  return withTarget(spec, async (port, pid) => {
    const fn = 'bench_bg';
    const cpu0S = cpuSeconds(pid);
    const submit = checked(
      await runLoadgen(bin, 'bg', {
        port,
        fn,
        threads: s.clients,
        jobs: s.bgJobs,
        sizeBytes: PAYLOAD_BYTES,
        maxSeconds: s.phaseMaxSeconds,
      }),
      `${spec.name} bg`,
    );
    const cpu1S = cpuSeconds(pid);
    const drain = checked(
      await runLoadgen(bin, 'work', { port, fn, threads: s.workers, jobs: submit.jobs, maxSeconds: s.phaseMaxSeconds }),
      `${spec.name} drain`,
    );
    return {
      submit,
      drain,
      submitCpuMicrosPerJob: ((cpu1S - cpu0S) * 1e6) / Math.max(1, submit.jobs),
      drainCpuMicrosPerJob: perJobMicros(cpu1S, pid, drain.jobs),
    };
  });
}

export interface DeepResult {
  baselineRssBytes: number;
  depth: number;
  fill: LoadgenResult;
  rssAtDepthBytes: number;
  peakRssBytes: number;
  shallowSubmit: LoadgenResult;
  shallowDrain: LoadgenResult;
  deepSubmit: LoadgenResult;
  deepDrain: LoadgenResult;
  /** Server CPU per job while filling (pipelined) and while submitting / grabbing at full depth. */
  fillCpuMicrosPerJob: number;
  deepSubmitCpuMicrosPerJob: number;
  deepDrainCpuMicrosPerJob: number;
}

/**
 * Shallow probe (submit probeJobs, drain them: queue near empty), then fill to deepJobs with pipelined
 * submits (4 clients, batches of 1000), read RSS, then the same probe at depth: O(1) queues give the same rates.
 */
export async function deepQueue(bin: string, spec: TargetSpec, s: ServerBenchSizes): Promise<DeepResult> {
  return withTarget(spec, async (port, pid) => {
    const fn = 'bench_deep';
    const probe = { port, fn, jobs: s.probeJobs, sizeBytes: PAYLOAD_BYTES, maxSeconds: s.phaseMaxSeconds };
    await warmUp(bin, port, s, Math.ceil(s.probeJobs / 5));
    const shallowSubmit = checked(
      await runLoadgen(bin, 'bg', { ...probe, threads: s.clients }),
      `${spec.name} shallow submit`,
    );
    const shallowDrain = checked(
      await runLoadgen(bin, 'work', { ...probe, threads: s.workers, jobs: shallowSubmit.jobs }),
      `${spec.name} shallow drain`,
    );
    const baselineRssBytes = memInfo(pid).rssBytes; // after warmup and the shallow probe: JIT and buffers counted out
    const cpuFillS = cpuSeconds(pid);
    const fill = checked(
      await runLoadgen(bin, 'bg', {
        ...probe,
        threads: 4,
        batch: 1000,
        jobs: s.deepJobs,
        maxSeconds: s.fillMaxSeconds,
      }),
      `${spec.name} fill`,
    );
    const depth = await queuedJobs(port, fn);
    const mem = memInfo(pid);
    const cpuSubmitS = cpuSeconds(pid);
    const deepSubmit = checked(
      await runLoadgen(bin, 'bg', { ...probe, threads: s.clients }),
      `${spec.name} deep submit`,
    );
    const cpuDrainS = cpuSeconds(pid);
    const deepDrain = checked(
      await runLoadgen(bin, 'work', { ...probe, threads: s.workers }),
      `${spec.name} deep drain`,
    );
    return {
      baselineRssBytes,
      depth,
      fill,
      rssAtDepthBytes: mem.rssBytes,
      peakRssBytes: mem.peakRssBytes,
      shallowSubmit,
      shallowDrain,
      deepSubmit,
      deepDrain,
      fillCpuMicrosPerJob: ((cpuSubmitS - cpuFillS) * 1e6) / Math.max(1, fill.jobs),
      deepSubmitCpuMicrosPerJob: ((cpuDrainS - cpuSubmitS) * 1e6) / Math.max(1, deepSubmit.jobs),
      deepDrainCpuMicrosPerJob: perJobMicros(cpuDrainS, pid, deepDrain.jobs),
    };
  });
}

export interface SlowReaderResult {
  /** Foreground 100 B jobs of the other clients during the hog's run. */
  others: LoadgenResult;
  peakRssBytes: number;
  /** 32 KiB jobs the server took from the hog before its writes blocked (or the round ended). */
  hogJobsSent: number;
}

/**
 * Issue 11 defect 9: a client that submits 32 KiB foreground jobs as fast as it can and never reads a reply,
 * beside 4 ordinary clients (100 B jobs, 2 echo workers of their own) for `seconds`. Reports the server's
 * peak RSS and the other clients' latencies: their max is the worst stall the hog caused them.
 */
export async function slowReader(
  bin: string,
  spec: TargetSpec,
  s: ServerBenchSizes,
  hogJobs: number,
  seconds: number,
): Promise<SlowReaderResult> {
  return withTarget(spec, async (port, pid) => {
    const hogFn = 'bench_hog';
    const pool = startWorkers(bin, { port, fn: hogFn, threads: s.workers, maxSeconds: seconds + 30 });
    try {
      await waitForWorkers(port, hogFn, s.workers);
      const othersRun = runLoadgen(bin, 'fg', {
        port,
        fn: 'bench_others',
        threads: 4,
        workers: 2,
        jobs: 0,
        sizeBytes: PAYLOAD_BYTES,
        maxSeconds: seconds,
      });
      const hogJobsSent = await runNonReadingClient(port, hogFn, hogJobs, 32 * 1024, seconds * 1000);
      const others = checked(await othersRun, `${spec.name} others`);
      return { others, peakRssBytes: memInfo(pid).peakRssBytes, hogJobsSent };
    } finally {
      await pool.stop();
    }
  });
}

/** Submits up to `jobs` foreground jobs on one connection, never reading; stops when writes block past the deadline. */
async function runNonReadingClient(
  port: number,
  fn: string,
  jobs: number,
  sizeBytes: number,
  forMs: number,
): Promise<number> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.pause();
  const payload = Buffer.alloc(sizeBytes, 0x68);
  const deadline = Date.now() + forMs;
  let wake: (() => void) | null = null;
  socket.on('drain', () => wake?.());
  socket.on('close', () => wake?.());
  let sent = 0;
  try {
    while (sent < jobs && Date.now() < deadline && !socket.destroyed) {
      const ok = socket.write(encodeReq(PacketType.SUBMIT_JOB, fn, `hog-${sent}`, payload));
      sent++;
      if (!ok) {
        // Blocked: wait for 'drain', 'close' or the deadline, whichever comes first.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
        if (socket.writableNeedDrain) break;
      }
    }
    const left = deadline - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left)); // the others' round runs to its end
    return sent - Math.ceil(socket.writableLength / (sizeBytes + 32));
  } finally {
    socket.destroy();
  }
}
