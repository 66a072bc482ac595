// A/B tool for the server hot path (not a suite): interleaved foreground rounds against several servers,
// each round on a fresh server after a warm-up, printing jobs/s, p99 and the server's CPU per job (schedstat,
// ns exact), then the median per contender and each one's median ratio to the first, paired by round.
// Usage: node --import tsx bench/lib/server-ab.ts CONTENDER...
//   CONTENDER = gearmand[:FLAGS]  (e.g. gearmand:--threads=0)  |  [LABEL=]ROOT (a gmsup checkout with a built dist/)
//               | floor:stream | floor:onread (bench/lib/floor-server.mjs: Node's floor, no job logic)
// Env: JOBS (50000), WARM (20000), ROUNDS (3), SIZE (100), CLIENTS (16), WORKERS (4), SEP=1 (workers in their
// own process instead of the clients' process), PERF=1 (also count the server's syscalls with perf stat),
// PERF_EXTRA (more perf events, e.g. probe_libc:malloc after `perf probe -x /lib/x86_64-linux-gnu/libc.so.6 malloc`).

import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLoadgen, startWorkers } from './loadgen-build.js';
import { gearmand, startTarget, waitForWorkers, type TargetSpec } from './server-targets.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const JOBS = env('JOBS', 50_000);
const WARM = env('WARM', 20_000);
const ROUNDS = env('ROUNDS', 3);
const SIZE = env('SIZE', 100);
const CLIENTS = env('CLIENTS', 16);
const WORKERS = env('WORKERS', 4);
const SEP = process.env.SEP === '1';

/** CPU ns of every thread of pid. */
export const cpuNs = (pid: number): number =>
  readdirSync(`/proc/${pid}/task`).reduce(
    (a, t) => a + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]),
    0,
  );

function parseContender(arg: string): TargetSpec {
  if (arg.startsWith('floor:')) {
    // Node's floor: bench/lib/floor-server.mjs with FLOOR_IO=stream|onread.
    const io = arg.slice('floor:'.length);
    const script = join(dirname(fileURLToPath(import.meta.url)), 'floor-server.mjs');
    return { name: arg, kind: 'gmsup', args: [], script, env: { FLOOR_IO: io } };
  }
  if (arg === 'gearmand' || arg.startsWith('gearmand:')) {
    const flags = arg.slice('gearmand:'.length).split(' ').filter(Boolean);
    return gearmand(arg === 'gearmand' ? [] : flags);
  }
  const [label, root] = arg.includes('=') ? arg.split('=', 2) : [arg, arg];
  return { name: label!, kind: 'gmsup', args: [], root: root! };
}

let ticksPerSecond = 0;
/** [user, system] CPU seconds of pid (10 ms ticks), to tell the runtime's own cost from the kernel's. */
function userSys(pid: number): [number, number] {
  ticksPerSecond ||= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]) / ticksPerSecond, Number(f[12]) / ticksPerSecond];
}

const contenders = process.argv.slice(2).map(parseContender);
if (contenders.length === 0) throw new Error('usage: server-ab.ts CONTENDER...');
const loadgen = buildLoadgen();
const lg = (port: number, jobs: number) => {
  const args = ['fg', '--port', String(port), '--fn', 'ab', '--threads', String(CLIENTS), '--jobs', String(jobs)];
  if (!SEP) args.push('--workers', String(WORKERS));
  const r = spawnSync(loadgen.binPath, [...args, '--size', String(SIZE), '--seconds', '120'], { encoding: 'utf8' });
  return JSON.parse(r.stdout.trim()) as { jobs: number; rate: number; p99_ms: number; errors: number };
};

async function perfCounts(pid: number, body: () => unknown): Promise<Map<string, number>> {
  const extra = process.env.PERF_EXTRA ? ['-e', process.env.PERF_EXTRA] : [];
  const events = ['-e', 'syscalls:sys_enter_*', '-e', 'context-switches', ...extra];
  const perf = spawn('perf', ['stat', '-x', ',', ...events, '-p', `${pid}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  perf.stderr.on('data', (d: Buffer) => {
    text += d.toString();
  });
  await new Promise((r) => setTimeout(r, 300));
  body();
  perf.kill('SIGINT');
  await new Promise((r) => perf.once('close', r));
  const counts = new Map<string, number>();
  for (const cols of text.split('\n').map((l) => l.split(','))) {
    const n = Number(cols[0]);
    if (n > 0 && cols[2]) counts.set(cols[2].replace(/^syscalls:sys_enter_|^probe_libc:/, ''), n);
  }
  return counts;
}

const results = new Map<string, Array<{ rate: number; cpuUs: number; p99: number; userUs: number }>>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const spec of contenders) {
      const t = await startTarget(spec);
      const pool = SEP
        ? startWorkers(loadgen.binPath, { port: t.port, fn: 'ab', threads: WORKERS, maxSeconds: 300 })
        : null;
      try {
        if (pool) await waitForWorkers(t.port, 'ab', WORKERS);
        if (WARM > 0) lg(t.port, WARM);
        let res!: ReturnType<typeof lg>;
        let extra = '';
        const c0 = cpuNs(t.pid);
        const [u0, s0] = userSys(t.pid);
        if (process.env.PERF === '1') {
          const counts = await perfCounts(t.pid, () => {
            res = lg(t.port, JOBS);
          });
          extra = ` | per job: ${[...counts].map(([k, v]) => `${k} ${(v / res.jobs).toFixed(2)}`).join(', ')}`;
        } else {
          res = lg(t.port, JOBS);
        }
        const cpuUs = (cpuNs(t.pid) - c0) / 1000 / res.jobs;
        const [u1, s1] = userSys(t.pid);
        const userUs = ((u1 - u0) * 1e6) / res.jobs;
        const sysUs = ((s1 - s0) * 1e6) / res.jobs;
        const rounds = results.get(spec.name) ?? [];
        rounds.push({ rate: res.rate, cpuUs, p99: res.p99_ms, userUs });
        results.set(spec.name, rounds);
        const cpu = `server CPU ${cpuUs.toFixed(1)} us/job (user ${userUs.toFixed(1)}, sys ${sysUs.toFixed(1)})`;
        const rate = `${Math.round(res.rate).toString().padStart(6)} jobs/s  p99 ${res.p99_ms.toFixed(2)} ms`;
        const errors = res.errors ? ` (${res.errors} errors)` : '';
        console.log(`round ${round + 1} ${spec.name.padEnd(24)} ${rate}  ${cpu}${errors}${extra}`);
      } finally {
        await pool?.stop();
        await t.stop();
      }
    }
  }
} finally {
  loadgen.remove();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const first = results.get(contenders[0]!.name)!;
for (const [name, rs] of results) {
  const ratios = rs.map((r, i) => r.rate / first[i]!.rate);
  const m = (pick: (r: (typeof rs)[number]) => number) => median(rs.map(pick));
  const cpu = `CPU ${m((r) => r.cpuUs).toFixed(1)} us/job (user ${m((r) => r.userUs).toFixed(1)})`;
  const paired = `${ratios.map((x) => x.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`;
  const rate = `median ${Math.round(m((r) => r.rate))} jobs/s, p99 ${m((r) => r.p99).toFixed(2)} ms`;
  console.log(`${name.padEnd(24)} ${rate}, ${cpu}; rate/first paired: ${paired}`);
}
