// Worker runtime benchmark (issue 3 item 8): jobs/s of one gmsup module worker process beside a PHP
// GearmanWorker (libgearman) on the same gearmand in the same run, and spawn -> registered time and RSS
// of a worker process for a .ts module (cold and warm compile cache) beside `node --import tsx` and PHP.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from '../report.js';
import { buildLoadgen, canBuildLoadgen, runLoadgen } from '../lib/loadgen-build.js';
import { adminText, gearmand, hasGearmand, memInfo, queuedJobs, startTarget } from '../lib/server-targets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PHP_WORKER = join(root, 'bench', 'lib', 'php-echo-worker.php');
const quick = process.env.BENCH_QUICK === '1';
const JOBS = Number(process.env.BENCH_WORKER_JOBS ?? (quick ? 5000 : 40_000));
const ROUNDS = quick ? 1 : 3;
const STARTS = quick ? 3 : 7;

interface Started {
  pid: number;
  stop(): Promise<void>;
}

/** The upper median; null for no samples. */
const median = (xs: number[]): number | null => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? null;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));
}

/** gmsup worker the daemon's way: dist/worker/main.js (or src via tsx), IPC init, own process group. */
function startGmsupWorker(
  port: number,
  fn: string,
  modulePath: string,
  concurrency: number,
  viaTsx = false,
  ipcBatchMs?: number,
): Started {
  const entry = viaTsx ? join(root, 'src', 'worker', 'main.ts') : join(root, 'dist', 'worker', 'main.js');
  const child = fork(entry, [], {
    execArgv: viaTsx ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    cwd: root,
  });
  child.send({
    type: 'worker:init',
    clientId: `bench:${fn}`,
    ipcBatchMs,
    spec: {
      name: fn,
      function: fn,
      kind: 'module',
      modulePath,
      servers: [`127.0.0.1:${port}`],
      concurrency,
      timeoutMs: null,
      env: {},
      cwd: root,
      maxJobs: null,
      stopTimeoutMs: 2000,
    },
  });
  return {
    pid: child.pid ?? -1,
    async stop() {
      if (child.connected) child.send({ type: 'worker:stop', reason: 'bench' });
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(hard);
    },
  };
}

function startPhpWorker(port: number, fn: string): Started {
  const child = spawn('php', [PHP_WORKER, String(port), fn], { stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    pid: child.pid ?? -1,
    async stop() {
      child.kill('SIGKILL'); // idle in work(): nothing to lose
      await exited(child);
    },
  };
}

async function availableWorkers(port: number, fn: string): Promise<number> {
  const row = (await adminText(port, 'status'))
    .split('\n')
    .map((l) => l.split('\t'))
    .find((c) => c[0] === fn);
  return row ? Number(row[3]) : 0;
}

/** ms from spawn until the server lists the function's worker; then RSS; then stop. */
async function startupMs(port: number, fn: string, start: () => Started): Promise<{ ms: number; rssBytes: number }> {
  const t0 = performance.now();
  const w = start();
  try {
    const deadline = t0 + 15_000;
    while ((await availableWorkers(port, fn)) < 1) {
      if (performance.now() > deadline) throw new Error(`${fn} never registered`);
      await new Promise((r) => setTimeout(r, 1));
    }
    const ms = performance.now() - t0;
    return { ms, rssBytes: memInfo(w.pid).rssBytes };
  } finally {
    await w.stop();
    // the next start must not count this one's registration
    while ((await availableWorkers(port, fn)) > 0) await new Promise((r) => setTimeout(r, 5));
  }
}

/** Queues `jobs` background echo jobs, starts the worker, and times the drain from the server's view. */
async function drainRate(bin: string, port: number, fn: string, start: () => Started): Promise<number> {
  await runLoadgen(bin, 'bg', { port, fn, threads: 2, jobs: JOBS, sizeBytes: 100, maxSeconds: 120 });
  const w = start();
  try {
    let first: { t: number; left: number } | null = null;
    const deadline = performance.now() + 120_000;
    for (;;) {
      const left = await queuedJobs(port, fn);
      const t = performance.now();
      if (first === null && left < JOBS) first = { t, left };
      if (left === 0 && first) return first.left / ((t - first.t) / 1000);
      if (t > deadline) throw new Error(`${fn}: ${left} jobs left after 120 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await w.stop();
  }
}

export default async function workerBench(): Promise<BenchRow[]> {
  if (!hasGearmand() || !canBuildLoadgen()) throw new Error('needs gearmand, gcc and libgearman-dev');
  const loadgen = buildLoadgen();
  const server = await startTarget(gearmand([]));
  const tmp = mkdtempSync(join(tmpdir(), 'gmsup-bench-worker-'));
  try {
    const trivial = join(tmp, 'trivial.ts');
    copyFileSync(join(root, 'test', 'fixtures', 'workers', 'trivial.ts'), trivial);
    const cacheDir = join(tmp, '.gmsup-cache'); // no node_modules above /tmp: the cache sits next to the module

    // Throughput: alternate the contenders per round, keep the median.
    const rates: Record<'gmsup1' | 'gmsup1b' | 'gmsup4b' | 'php', number[]> = {
      gmsup1: [],
      gmsup1b: [],
      gmsup4b: [],
      php: [],
    };
    for (let r = 0; r < ROUNDS; r++) {
      rates.gmsup1.push(
        await drainRate(loadgen.binPath, server.port, `bw_g1_${r}`, () =>
          startGmsupWorker(server.port, `bw_g1_${r}`, trivial, 1),
        ),
      );
      rates.php.push(
        await drainRate(loadgen.binPath, server.port, `bw_php_${r}`, () => startPhpWorker(server.port, `bw_php_${r}`)),
      );
      rates.gmsup1b.push(
        await drainRate(loadgen.binPath, server.port, `bw_g1b_${r}`, () =>
          startGmsupWorker(server.port, `bw_g1b_${r}`, trivial, 1, false, 100),
        ),
      );
      rates.gmsup4b.push(
        await drainRate(loadgen.binPath, server.port, `bw_g4b_${r}`, () =>
          startGmsupWorker(server.port, `bw_g4b_${r}`, trivial, 4, false, 100),
        ),
      );
    }

    // Start-up: cold = empty compile cache each time; warm = cache filled.
    const cold: number[] = [];
    const warm: Array<{ ms: number; rssBytes: number }> = [];
    const tsx: Array<{ ms: number; rssBytes: number }> = [];
    const php: Array<{ ms: number; rssBytes: number }> = [];
    for (let i = 0; i < STARTS; i++) {
      rmSync(cacheDir, { recursive: true, force: true });
      cold.push(
        (await startupMs(server.port, 'bs_cold', () => startGmsupWorker(server.port, 'bs_cold', trivial, 1))).ms,
      );
      warm.push(await startupMs(server.port, 'bs_warm', () => startGmsupWorker(server.port, 'bs_warm', trivial, 1)));
      tsx.push(await startupMs(server.port, 'bs_tsx', () => startGmsupWorker(server.port, 'bs_tsx', trivial, 1, true)));
      php.push(await startupMs(server.port, 'bs_php', () => startPhpWorker(server.port, 'bs_php')));
    }
    const ms = (xs: Array<{ ms: number }>) => median(xs.map((x) => x.ms));
    const rss = (xs: Array<{ rssBytes: number }>) => median(xs.map((x) => x.rssBytes));
    const group = `worker: trivial echo, 1 worker process, ${JOBS} queued 100 B jobs on gearmand`;
    const startGroup = 'worker: .ts module worker process, spawn -> registered (seen in gearmand status)';
    const phpRef = { name: 'PHP GearmanWorker (libgearman)', value: median(rates.php) };
    const refsStart = [
      { name: 'same worker via node --import tsx', value: ms(tsx) },
      { name: 'PHP GearmanWorker (php script)', value: ms(php) },
    ];
    return [
      {
        group,
        metric: 'drain rate, concurrency 1, IPC job:end per job',
        unit: 'jobs/s',
        better: 'higher',
        gmsup: median(rates.gmsup1),
        references: [phpRef],
        note: `median of ${ROUNDS}; gmsup worker started the daemon's way (fork + IPC init)`,
      },
      {
        group,
        metric: 'drain rate, concurrency 1, IPC batched (ipcBatchMs 100)',
        unit: 'jobs/s',
        better: 'higher',
        gmsup: median(rates.gmsup1b),
        references: [phpRef],
      },
      {
        group,
        metric: 'drain rate, concurrency 4, IPC batched (ipcBatchMs 100)',
        unit: 'jobs/s',
        better: 'higher',
        gmsup: median(rates.gmsup4b),
        references: [phpRef],
      },
      {
        group: startGroup,
        metric: 'start-up, warm compile cache',
        unit: 'ms',
        better: 'lower',
        gmsup: ms(warm),
        references: refsStart,
        note: `median of ${STARTS}`,
      },
      {
        group: startGroup,
        metric: 'start-up, cold compile cache (esbuild)',
        unit: 'ms',
        better: 'lower',
        gmsup: median(cold),
        references: refsStart,
      },
      {
        group: startGroup,
        metric: 'RSS once registered',
        unit: 'bytes',
        better: 'lower',
        gmsup: rss(warm),
        references: [
          { name: 'same worker via node --import tsx', value: rss(tsx) },
          { name: 'PHP GearmanWorker (php script)', value: rss(php) },
        ],
      },
    ];
  } finally {
    await server.stop();
    loadgen.remove();
    rmSync(tmp, { recursive: true, force: true });
  }
}
