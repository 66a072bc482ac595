// Job server benchmark (issue 2 item 6): gmsup's embedded server beside gearmand 1.1.20 (default and
// best 2-core settings), all driven by the same libgearman C load generator. Sizes: env, see sizes().

import type { BenchRow } from '../report.js';
import { buildLoadgen, canBuildLoadgen } from '../lib/loadgen-build.js';
import {
  backgroundSubmitDrain,
  deepQueue,
  foregroundEcho,
  slowReader,
  type ServerBenchSizes,
} from '../lib/server-scenarios.js';
import { GMSUP, gearmand, hasGearmand, type TargetSpec } from '../lib/server-targets.js';

const MiB = 1024 * 1024;

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

/** BENCH_QUICK=1 is a smoke run (seconds); each size can be overridden by its own variable. */
export function sizes(): ServerBenchSizes {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    clients: 16,
    workers: 4,
    fgRoundSeconds: envInt('BENCH_SERVER_FG_SECONDS', quick ? 1 : 4),
    largeBytes: 64 * 1024,
    bgJobs: envInt('BENCH_SERVER_BG_JOBS', quick ? 5000 : 100_000),
    deepJobs: envInt('BENCH_SERVER_DEEP_JOBS', quick ? 50_000 : 1_000_000),
    probeJobs: envInt('BENCH_SERVER_PROBE_JOBS', quick ? 2000 : 50_000),
    fillMaxSeconds: envInt('BENCH_SERVER_FILL_MAX_S', quick ? 20 : 40),
    phaseMaxSeconds: envInt('BENCH_SERVER_PHASE_MAX_S', quick ? 20 : 30),
  };
}

/** Rounds per target for the foreground and background scenarios (the median is reported); the deep queue runs once. */
function repeatRounds(): number {
  return Math.max(1, Math.min(10, envInt('BENCH_SERVER_REPEAT', process.env.BENCH_QUICK === '1' ? 1 : 3)));
}

type Scenario = 'fg' | 'fg64k' | 'bg' | 'deep' | 'slow';

/**
 * Runs fn for gmsup then each reference, `repeat` rounds interleaved (so load from other programs hits every
 * target alike), keeping every round: each metric is reported as its median over the rounds (not the best
 * round, which flatters whichever server is noisier). A failing target yields null values and a note.
 */
async function each<T>(
  targets: TargetSpec[],
  fn: (t: TargetSpec) => Promise<T>,
  repeat = 1,
): Promise<{ got: Map<string, T[]>; notes: string[] }> {
  const got = new Map<string, T[]>();
  const notes: string[] = [];
  for (let round = 1; round <= repeat; round++) {
    for (const t of targets) {
      process.stderr.write(`bench: server: ${t.name} (round ${round}/${repeat}) ...\n`);
      try {
        const r = await fn(t);
        const rounds = got.get(t.name) ?? [];
        rounds.push(r);
        got.set(t.name, rounds);
      } catch (err) {
        notes.push(`${t.name} failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
      }
    }
  }
  return { got, notes };
}

/** Median of the values (the upper middle one for an even count); null when there are none. */
function median(values: number[]): number | null {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return xs.length === 0 ? null : xs[Math.floor(xs.length / 2)]!;
}

function rowsFor<T>(
  group: string,
  refs: TargetSpec[],
  res: { got: Map<string, T[]>; notes: string[] },
  metrics: Array<{ metric: string; unit: string; better: 'higher' | 'lower'; value: (r: T) => number | null }>,
  note?: string,
): BenchRow[] {
  const allNotes = [note, ...res.notes].filter(Boolean).join('; ');
  return metrics.map((m, i) => {
    const v = (name: string) => {
      const rounds = res.got.get(name);
      return rounds === undefined ? null : median(rounds.map((r) => m.value(r) ?? NaN));
    };
    return {
      group,
      metric: m.metric,
      unit: m.unit,
      better: m.better,
      gmsup: v(GMSUP.name),
      references: refs.map((t) => ({ name: t.name, value: v(t.name) })),
      ...(i === metrics.length - 1 && allNotes ? { note: allNotes } : {}),
    };
  });
}

export default async function serverBench(): Promise<BenchRow[]> {
  if (!canBuildLoadgen()) throw new Error('needs gcc and libgearman-dev (apt-get install -y gcc libgearman-dev)');
  const s = sizes();
  const wanted = (process.env.BENCH_SERVER_SCENARIOS ?? 'fg,fg64k,bg,slow,deep').split(',') as Scenario[];
  const withRefs = hasGearmand() && process.env.BENCH_SERVER_SKIP_GEARMAND !== '1';
  const fgRefs = withRefs ? [gearmand([]), gearmand(['--threads=0'])] : [];
  const deepRefs = withRefs ? [gearmand([]), gearmand(['--threads=0', '--hashtable-buckets=1000003'])] : [];
  const loadgen = buildLoadgen();
  const rows: BenchRow[] = [];
  const who = `${s.clients} clients, ${s.workers} workers`;
  const repeat = repeatRounds();
  const rounds = repeat > 1 ? `, median of ${repeat}` : '';
  try {
    for (const [scenario, sizeBytes, label] of [
      ['fg', 100, '100 B'],
      ['fg64k', s.largeBytes, '64 KiB'],
    ] as const) {
      if (!wanted.includes(scenario)) continue;
      const res = await each([GMSUP, ...fgRefs], (t) => foregroundEcho(loadgen.binPath, t, s, sizeBytes), repeat);
      const round = `${s.fgRoundSeconds} s rounds, no warm-up`;
      rows.push(
        ...rowsFor(`server: foreground echo ${label}, ${who} in one process, ${round}${rounds}`, fgRefs, res, [
          { metric: 'throughput', unit: 'jobs/s', better: 'higher', value: (r) => r.run.rate },
          { metric: 'latency p50', unit: 'ms', better: 'lower', value: (r) => r.run.p50_ms ?? null },
          { metric: 'latency p99', unit: 'ms', better: 'lower', value: (r) => r.run.p99_ms ?? null },
          { metric: 'latency max (stalls)', unit: 'ms', better: 'lower', value: (r) => r.run.max_ms ?? null },
          { metric: 'server CPU per job', unit: 'µs', better: 'lower', value: (r) => r.cpuMicrosPerJob },
          { metric: 'server peak RSS', unit: 'MiB', better: 'lower', value: (r) => r.peakRssBytes / MiB },
        ]),
      );
    }
    if (wanted.includes('bg')) {
      const res = await each([GMSUP, ...fgRefs], (t) => backgroundSubmitDrain(loadgen.binPath, t, s), repeat);
      rows.push(
        ...rowsFor(`server: background ${s.bgJobs} x 100 B, no warm-up${rounds}`, fgRefs, res, [
          {
            metric: `submit (${s.clients} clients, 1 round trip/job)`,
            unit: 'jobs/s',
            better: 'higher',
            value: (r) => r.submit.rate,
          },
          { metric: `drain (${s.workers} workers)`, unit: 'jobs/s', better: 'higher', value: (r) => r.drain.rate },
          {
            metric: 'server CPU per submitted job',
            unit: 'µs',
            better: 'lower',
            value: (r) => r.submitCpuMicrosPerJob,
          },
          { metric: 'server CPU per drained job', unit: 'µs', better: 'lower', value: (r) => r.drainCpuMicrosPerJob },
        ]),
      );
    }
    if (wanted.includes('slow')) {
      const hogJobs = envInt('BENCH_SERVER_HOG_JOBS', process.env.BENCH_QUICK === '1' ? 2000 : 20_000);
      const seconds = envInt('BENCH_SERVER_HOG_SECONDS', process.env.BENCH_QUICK === '1' ? 3 : 8);
      const res = await each([GMSUP, ...fgRefs], (t) => slowReader(loadgen.binPath, t, s, hogJobs, seconds));
      const hog = `a client submitting ${hogJobs} x 32 KiB jobs that never reads`;
      const group = `server: ${hog}, beside 4 clients (100 B), ${seconds} s`;
      rows.push(
        ...rowsFor(group, fgRefs, res, [
          { metric: 'server peak RSS', unit: 'MiB', better: 'lower', value: (r) => r.peakRssBytes / MiB },
          {
            metric: 'other clients: worst stall (max latency)',
            unit: 'ms',
            better: 'lower',
            value: (r) => r.others.max_ms ?? null,
          },
          { metric: 'other clients: latency p99', unit: 'ms', better: 'lower', value: (r) => r.others.p99_ms ?? null },
          { metric: 'other clients: throughput', unit: 'jobs/s', better: 'higher', value: (r) => r.others.rate },
          {
            metric: 'hog jobs the server took in (the rest waits in its socket)',
            unit: 'jobs',
            better: 'lower',
            value: (r) => r.hogJobsSent,
          },
        ]),
      );
    }
    if (wanted.includes('deep')) {
      const res = await each([GMSUP, ...deepRefs], (t) => deepQueue(loadgen.binPath, t, s));
      const short = [...res.got.entries()]
        .flatMap(([n, rs]) => rs.map((r) => [n, r] as const))
        .filter(([, r]) => r.depth < s.deepJobs * 0.99)
        .map(([n, r]) => `${n} reached only ${r.depth} queued in ${s.fillMaxSeconds} s`);
      const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
      rows.push(
        ...rowsFor(
          `server: deep queue ${s.deepJobs} x 100 B background`,
          deepRefs,
          res,
          [
            { metric: 'queued jobs reached', unit: 'jobs', better: 'higher', value: (r) => r.depth },
            {
              metric: 'fill (4 clients, pipelined x1000)',
              unit: 'jobs/s',
              better: 'higher',
              value: (r) => r.fill.rate,
            },
            { metric: 'server CPU per job, fill', unit: 'µs', better: 'lower', value: (r) => r.fillCpuMicrosPerJob },
            { metric: 'peak RSS holding the queue', unit: 'MiB', better: 'lower', value: (r) => r.peakRssBytes / MiB },
            {
              metric: 'memory per queued job',
              unit: 'bytes',
              better: 'lower',
              value: (r) => (r.depth > 0 ? (r.rssAtDepthBytes - r.baselineRssBytes) / r.depth : null),
            },
            {
              metric: `submit, queue empty (${s.clients} clients)`,
              unit: 'jobs/s',
              better: 'higher',
              value: (r) => r.shallowSubmit.rate,
            },
            {
              metric: `submit at full depth (${s.clients} clients)`,
              unit: 'jobs/s',
              better: 'higher',
              value: (r) => r.deepSubmit.rate,
            },
            {
              metric: 'server CPU per job, submit at full depth',
              unit: 'µs',
              better: 'lower',
              value: (r) => r.deepSubmitCpuMicrosPerJob,
            },
            {
              metric: 'submit deep/empty (1.0 = O(1))',
              unit: 'ratio',
              better: 'higher',
              value: (r) => ratio(r.deepSubmit.rate, r.shallowSubmit.rate),
            },
            {
              metric: `grab+complete, queue near empty (${s.workers} workers)`,
              unit: 'jobs/s',
              better: 'higher',
              value: (r) => r.shallowDrain.rate,
            },
            {
              metric: `grab+complete at full depth (${s.workers} workers)`,
              unit: 'jobs/s',
              better: 'higher',
              value: (r) => r.deepDrain.rate,
            },
            {
              metric: 'server CPU per job, grab at full depth',
              unit: 'µs',
              better: 'lower',
              value: (r) => r.deepDrainCpuMicrosPerJob,
            },
            {
              metric: 'grab deep/empty (1.0 = O(1))',
              unit: 'ratio',
              better: 'higher',
              value: (r) => ratio(r.deepDrain.rate, r.shallowDrain.rate),
            },
          ],
          short.join('; '),
        ),
      );
    }
  } finally {
    loadgen.remove();
  }
  return rows;
}
