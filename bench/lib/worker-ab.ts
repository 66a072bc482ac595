// A/B tool for the worker hot path (not a suite): drains queued jobs on gearmand with one worker
// process per contender, interleaved, printing drain rate and worker CPU per job (schedstat, ns exact).
// Usage: node --import tsx bench/lib/worker-ab.ts DIST_DIR... [php]   (DIST_DIR = a copy of dist/)
// Env: JOBS (40000), ROUNDS (3), CONC (1), BATCH (ipcBatchMs; unset = IPC per job), PROF=1 (--cpu-prof
// into /tmp/gmsup-worker-prof), XARG (extra node flags for the worker).

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLoadgen, runLoadgen } from './loadgen-build.js';
import { gearmand, queuedJobs, startTarget } from './server-targets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const contenders = process.argv.slice(2);
const JOBS = Number(process.env.JOBS ?? 40_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONC = Number(process.env.CONC ?? 1);
const BATCH = process.env.BATCH ? Number(process.env.BATCH) : undefined;
const trivial = join(root, 'test', 'fixtures', 'workers', 'trivial.ts');

/** CPU seconds of every thread of pid (schedstat is in ns; /proc/PID/stat has 10 ms ticks). */
const cpuSeconds = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).reduce(
    (a, t) => a + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]),
    0,
  ) / 1e9;

function startContender(c: string, port: number, fn: string): ChildProcess {
  if (c === 'php')
    return spawn('php', [join(root, 'bench', 'lib', 'php-echo-worker.php'), String(port), fn], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  const execArgv = process.env.XARG
    ? process.env.XARG.split(' ')
    : process.env.PROF
      ? ['--cpu-prof', '--cpu-prof-interval=50', '--cpu-prof-dir=/tmp/gmsup-worker-prof']
      : [];
  const child = fork(join(c, 'worker', 'main.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    cwd: root,
    execArgv,
  });
  child.send({
    type: 'worker:init',
    clientId: `ab:${fn}`,
    ipcBatchMs: BATCH,
    spec: {
      name: fn,
      function: fn,
      kind: 'module',
      modulePath: trivial,
      servers: [`127.0.0.1:${port}`],
      concurrency: CONC,
      timeoutMs: null,
      env: {},
      cwd: root,
      maxJobs: null,
      stopTimeoutMs: 2000,
    },
  });
  return child;
}

async function stopContender(c: string, child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  if (c === 'php' || !child.connected) child.kill('SIGKILL');
  else child.send({ type: 'worker:stop', reason: 'ab' });
  const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(hard);
}

const loadgen = buildLoadgen();
const server = await startTarget(gearmand([]));
const cpu: Record<string, number[]> = {};
let n = 0;
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of contenders) {
      const fn = `ab_${n++}`;
      await runLoadgen(loadgen.binPath, 'bg', {
        port: server.port,
        fn,
        threads: 2,
        jobs: JOBS,
        sizeBytes: 100,
        maxSeconds: 120,
      });
      const child = startContender(c, server.port, fn);
      try {
        let first: { t: number; left: number; cpu: number } | null = null;
        const deadline = performance.now() + 120_000;
        for (;;) {
          const left = await queuedJobs(server.port, fn);
          const t = performance.now();
          if (first === null && left < JOBS) first = { t, left, cpu: cpuSeconds(child.pid!) };
          if (left === 0 && first) {
            const cpuUs = ((cpuSeconds(child.pid!) - first.cpu) * 1e6) / first.left;
            (cpu[c] ??= []).push(cpuUs);
            console.log(
              `${c}: ${Math.round(first.left / ((t - first.t) / 1000))} jobs/s, ${cpuUs.toFixed(1)} us CPU/job`,
            );
            break;
          }
          if (t > deadline) throw new Error(`${c}: ${left} jobs left after 120 s`);
          await new Promise((res) => setTimeout(res, 5));
        }
      } finally {
        await stopContender(c, child);
      }
    }
  }
} finally {
  await server.stop();
  loadgen.remove();
}
for (const [c, xs] of Object.entries(cpu))
  console.log(`CPU us/job ${c}: ${xs.map((x) => x.toFixed(1)).join(' ')} (min ${Math.min(...xs).toFixed(1)})`);
