// Log pipeline benchmark (issue 11 defect 5): the embedded job server's jobs/s in a detached gmsup daemon
// while one of its workers prints 50,000 lines/s, against the same daemon with that worker quiet, and
// with it printing as much to /dev/null (its own cost on a small machine, without the daemon's). Same
// run, phases interleaved in rotating order (drift cancels out); medians, and the median of the cuts
// within each round of three. Load: the libgearman load generator (16 clients doing gearman_client_do,
// 100 B) and 4 C echo workers; the chatty worker is a gmsup module switched by jobs. BENCH_GMSUP_BIN
// runs another build of gmsup (e.g. an older one) for a before/after comparison.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearmanClient } from '../../src/client/index.js';
import { ControlClient } from '../../src/control/control-client.js';
import { controlSocketPath, stateDirFor } from '../../src/shared/state-dir.js';
import { buildLoadgen, canBuildLoadgen, runLoadgen, startWorkers } from '../lib/loadgen-build.js';
import { root } from '../lib/managers.js';
import { cpuSeconds, waitForWorkers } from '../lib/server-targets.js';
import type { BenchRow } from '../report.js';

const quick = process.env.BENCH_QUICK === '1';
const BIN = process.env.BENCH_GMSUP_BIN ?? join(root, 'bin', 'gmsup.js');
const RATE = 50_000;
const ROUNDS = Number(process.env.BENCH_LOGS_ROUNDS ?? (quick ? 3 : 8));
const PHASE_S = 2;
const SETTLE_MS = 500;
const CLIENTS = 16;
const WORKERS = 4;
const FN = 'bench_logs';

type Mode = 'quiet' | 'devnull' | 'noisy';
const MODES: readonly Mode[] = ['quiet', 'devnull', 'noisy'];

interface Phase {
  mode: Mode;
  round: number;
  jobsPerS: number;
  daemonCpuPercent: number;
  /** Lines/s the chatty worker printed (noisy phases). */
  linesPerS: number | null;
}

const median = (xs: number[]): number | null => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

function gmsup(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`gmsup ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function daemonInfo(file: string): Promise<{ pid: number; port: number }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const c = await ControlClient.connect(controlSocketPath(stateDirFor(file)), 2000).catch(() => null);
    if (c) {
      try {
        const s = await c.call('status', {}, 5000);
        const embedded = s.servers.find((x) => x.embedded);
        const noise = s.instances.find((i) => i.name === 'noise');
        if (embedded && noise?.state === 'RUNNING' && noise.registeredOn === 1)
          return { pid: s.daemon.pid, port: Number(embedded.address.split(':').at(-1)) };
      } finally {
        c.close();
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the daemon did not come up with its chatty worker registered');
}

export default async function logsBench(): Promise<BenchRow[]> {
  if (!canBuildLoadgen()) throw new Error('needs gcc and libgearman-dev (apt-get install gcc libgearman-dev)');
  const loadgen = buildLoadgen();
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-bench-logs-'));
  const file = join(dir, 'w.yaml');
  writeFileSync(
    file,
    [
      'server:',
      '  listen: 127.0.0.1:0',
      'workers:',
      '  noise:',
      `    module: ${join(root, 'bench', 'lib', 'chatty-handler.mjs')}`,
      `    env: { CHATTY_RATE: ${RATE} }`,
      '',
    ].join('\n'),
  );
  const phases: Phase[] = [];
  let stopDaemon = () => {};
  try {
    gmsup('start', file, '--daemon');
    stopDaemon = () => void spawnSync(process.execPath, [BIN, 'stop', file], { timeout: 60_000 });
    const { pid, port } = await daemonInfo(file);
    const client = new GearmanClient({ servers: [`127.0.0.1:${port}`] });
    const pool = startWorkers(loadgen.binPath, { port, fn: FN, threads: WORKERS, maxSeconds: 3600 });
    try {
      await waitForWorkers(port, FN, WORKERS);
      const bin = loadgen.binPath;
      const load = (seconds: number) =>
        runLoadgen(bin, 'fg', { port, fn: FN, threads: CLIENTS, jobs: 1e9, sizeBytes: 100, maxSeconds: seconds });
      await load(1); // warm-up: JIT, buffers
      // Each round runs the three modes, starting one further each time: q d n, d n q, n q d, ...
      for (let round = 0; round < ROUNDS; round++)
        for (let k = 0; k < MODES.length; k++) {
          const mode = MODES[(round + k) % MODES.length] ?? 'quiet';
          phases.push(await phase(mode, round));
        }
      async function phase(mode: Mode, round: number): Promise<Phase> {
        const noisy = mode !== 'quiet';
        if (noisy) await client.submit('noise', mode === 'noisy' ? 'on' : 'on-null');
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const cpu0 = cpuSeconds(pid);
        const t0 = performance.now();
        const r = await load(PHASE_S);
        const wallS = (performance.now() - t0) / 1000;
        const daemonCpuPercent = ((cpuSeconds(pid) - cpu0) / wallS) * 100;
        const linesPerS = noisy ? Number((await client.submit('noise', 'off')).toString()) : null;
        process.stderr.write(
          `bench logs: ${mode} ${Math.round(r.rate)} jobs/s, daemon CPU ` +
            `${daemonCpuPercent.toFixed(0)} %${linesPerS === null ? '' : `, ${linesPerS} lines/s printed`}\n`,
        );
        return { mode, round, jobsPerS: r.rate, daemonCpuPercent, linesPerS };
      }
    } finally {
      client.close();
      await pool.stop();
    }
  } finally {
    stopDaemon();
    const daemonLog = join(stateDirFor(file), 'daemon.log');
    let dropped = 0;
    try {
      for (const m of readFileSync(daemonLog, 'utf8').matchAll(/dropped (\d+) lines/g)) dropped += Number(m[1]);
    } catch {
      // an older gmsup (BENCH_GMSUP_BIN) may not write daemon.log in this form: nothing to count
    }
    if (dropped > 0) process.stderr.write(`bench logs: the daemon reported ${dropped} dropped lines\n`);
    rmSync(dir, { recursive: true, force: true });
    loadgen.remove();
  }
  const side = (mode: Mode) => phases.filter((p) => p.mode === mode);
  const jobs = (mode: Mode) => median(side(mode).map((p) => p.jobsPerS));
  const [quiet, devnull, noisy] = [jobs('quiet'), jobs('devnull'), jobs('noisy')];
  /** Median over the rounds of the cut from `base` to `mode` within the round (slow drift cancels out). */
  const roundCut = (base: Mode, mode: Mode) =>
    median(
      Array.from({ length: ROUNDS }, (_, round) => {
        const b = phases.find((p) => p.round === round && p.mode === base);
        const m = phases.find((p) => p.round === round && p.mode === mode);
        return b && m && b.jobsPerS > 0 ? ((b.jobsPerS - m.jobsPerS) / b.jobsPerS) * 100 : Number.NaN;
      }).filter((x) => !Number.isNaN(x)),
    );
  const cutAll = roundCut('quiet', 'noisy');
  const cutDaemon = roundCut('devnull', 'noisy');
  const pct = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)} %`);
  const group =
    `logs: embedded server, ${CLIENTS} clients x 100 B, ${WORKERS} C workers; ` + `a worker printing ${RATE} lines/s`;
  return [
    {
      group,
      metric: 'jobs/s while the worker prints through the daemon (median)',
      unit: 'jobs/s',
      better: 'higher',
      gmsup: noisy,
      references: [
        { name: 'worker quiet', value: quiet },
        { name: 'worker printing to /dev/null', value: devnull },
      ],
      note:
        `jobs/s cut by ${pct(cutAll)} against quiet and by ${pct(cutDaemon)} against printing to /dev/null ` +
        `(medians of ${ROUNDS} rounds; goal: at most 10 %)`,
    },
    {
      group,
      metric: 'lines/s the worker printed (median)',
      unit: 'lines/s',
      better: 'higher',
      gmsup: median(side('noisy').map((p) => p.linesPerS ?? 0)),
      references: [],
    },
    {
      group,
      metric: 'daemon CPU, all threads (median)',
      unit: '%',
      better: 'lower',
      gmsup: median(side('noisy').map((p) => p.daemonCpuPercent)),
      references: [
        { name: 'worker quiet', value: median(side('quiet').map((p) => p.daemonCpuPercent)) },
        { name: 'worker printing to /dev/null', value: median(side('devnull').map((p) => p.daemonCpuPercent)) },
      ],
    },
  ];
}
