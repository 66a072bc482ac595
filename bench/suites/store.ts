// Durable queue benchmark (issue 10): background submit and drain rates of gmsup with sqlite: and
// postgres: stores beside gmsup's memory store and gearmand 1.1.20 with -q libsqlite3 and -q Postgres,
// all driven by the same libgearman load generator; then crash figures (N queued, kill -9, restart:
// jobs recovered, time to serve again) and the time to load 1M stored jobs. Sizes: env, see below.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_PASSWORD, skipUnlessPostgres, startPostgres, type RunningPostgres } from '../../test/helpers/postgres.js';
import { buildLoadgen, canBuildLoadgen, runLoadgen } from '../lib/loadgen-build.js';
import { cpuSeconds, hasGearmand, queuedJobs, startTarget, type TargetSpec } from '../lib/server-targets.js';
import type { BenchRow } from '../report.js';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

const quick = process.env.BENCH_QUICK === '1';
const SIZES = {
  /** Background jobs per submit/drain round for gmsup's stores. */
  jobs: envInt('BENCH_STORE_JOBS', quick ? 5_000 : 50_000),
  /** gearmand's SQL queues do a few hundred jobs/s: fewer jobs, same rate measure. */
  gearmandJobs: envInt('BENCH_STORE_GEARMAND_JOBS', quick ? 500 : 3_000),
  crashJobs: envInt('BENCH_STORE_CRASH_JOBS', quick ? 10_000 : 100_000),
  loadJobs: envInt('BENCH_STORE_LOAD_JOBS', quick ? 100_000 : 1_000_000),
  rounds: envInt('BENCH_STORE_REPEAT', quick ? 1 : 2),
  phaseMaxSeconds: 60,
};
const CLIENTS = 16;
const WORKERS = 4;
const PAYLOAD_BYTES = 100;

interface Target {
  name: string;
  /** A fresh target (new database) for one round. */
  make(round: number): TargetSpec;
  jobs: number;
}

interface Rates {
  submit: number;
  drain: number;
  submitCpuMicros: number;
  drainCpuMicros: number;
}

/** Warm up (JIT), then `jobs` background submits from 16 clients (one round trip each), then 4 workers drain. */
async function submitDrain(bin: string, spec: TargetSpec, jobs: number): Promise<Rates> {
  const t = await startTarget(spec);
  try {
    const fn = 'bench_store';
    const warm = Math.max(CLIENTS * 10, Math.floor(jobs / 10));
    const w = await runLoadgen(bin, 'bg', {
      port: t.port,
      fn: 'bench_warm',
      threads: CLIENTS,
      jobs: warm,
      sizeBytes: PAYLOAD_BYTES,
      maxSeconds: SIZES.phaseMaxSeconds,
    });
    await runLoadgen(bin, 'work', {
      port: t.port,
      fn: 'bench_warm',
      threads: WORKERS,
      jobs: w.jobs,
      maxSeconds: SIZES.phaseMaxSeconds,
    });
    const cpu0 = cpuSeconds(t.pid);
    const submit = await runLoadgen(bin, 'bg', {
      port: t.port,
      fn,
      threads: CLIENTS,
      jobs,
      sizeBytes: PAYLOAD_BYTES,
      maxSeconds: SIZES.phaseMaxSeconds,
    });
    const cpu1 = cpuSeconds(t.pid);
    const drain = await runLoadgen(bin, 'work', {
      port: t.port,
      fn,
      threads: WORKERS,
      jobs: submit.jobs,
      maxSeconds: SIZES.phaseMaxSeconds,
    });
    const cpu2 = cpuSeconds(t.pid);
    if (submit.errors > 0 || drain.jobs < submit.jobs) {
      process.stderr.write(
        `bench: store: ${spec.name}: ${submit.errors} submit errors, drained ${drain.jobs}/${submit.jobs}\n`,
      );
    }
    return {
      submit: submit.rate,
      drain: drain.rate,
      submitCpuMicros: ((cpu1 - cpu0) * 1e6) / Math.max(1, submit.jobs),
      drainCpuMicros: ((cpu2 - cpu1) * 1e6) / Math.max(1, drain.jobs),
    };
  } finally {
    await t.stop();
  }
}

interface CrashResult {
  queued: number;
  recovered: number;
  /** kill -9 to `status` answering again, jobs loaded. */
  serveAgainMs: number;
}

/** Fills `jobs` (pipelined), kill -9, restarts on the same store, counts what came back. */
async function crash(bin: string, spec: TargetSpec, jobs: number): Promise<CrashResult> {
  const t = await startTarget(spec);
  let queued = 0;
  try {
    const fill = await runLoadgen(bin, 'bg', {
      port: t.port,
      fn: 'bench_crash',
      threads: 4,
      batch: 1000,
      jobs,
      sizeBytes: PAYLOAD_BYTES,
      maxSeconds: 300,
    });
    if (fill.errors > 0) process.stderr.write(`bench: store: ${spec.name}: ${fill.errors} errors filling\n`);
    queued = await queuedJobs(t.port, 'bench_crash');
    process.kill(t.pid, 'SIGKILL');
  } finally {
    await t.stop();
  }
  const killedAt = Date.now();
  const again = await startTarget(spec);
  try {
    const recovered = await queuedJobs(again.port, 'bench_crash');
    return { queued, recovered, serveAgainMs: Date.now() - killedAt };
  } finally {
    await again.stop();
  }
}

/** Runs one section; a failure becomes a note (and null) instead of losing the figures before it. */
async function attempt<T>(what: string, fn: () => Promise<T>, notes: string[]): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    const why = `${what} failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
    process.stderr.write(`bench: store: ${why}\n`);
    notes.push(why);
    return null;
  }
}

function row(
  group: string,
  metric: string,
  unit: string,
  better: 'higher' | 'lower',
  gmsup: number | null,
  refs: Array<[string, number | null]>,
  note?: string,
): BenchRow {
  return {
    group,
    metric,
    unit,
    better,
    gmsup,
    references: refs.map(([name, value]) => ({ name, value })),
    ...(note ? { note } : {}),
  };
}

export default async function storeBench(): Promise<BenchRow[]> {
  if (!canBuildLoadgen()) throw new Error('needs gcc and libgearman-dev (apt-get install -y gcc libgearman-dev)');
  const loadgen = buildLoadgen();
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-bench-store-'));
  let pg: RunningPostgres | null = null;
  const notes: string[] = [];
  try {
    const pgSkip = skipUnlessPostgres();
    if (pgSkip === false) {
      pg = await startPostgres();
    } else notes.push(`postgres targets skipped: ${pgSkip}`);
    const dbCounter = { n: 0 };
    const freshPgDb = (): string => {
      const name = `bench_${++dbCounter.n}`;
      pg!.psql(`CREATE DATABASE ${name}`);
      return name;
    };
    const gmsup = (name: string, store: (round: number) => string): Target => ({
      name,
      jobs: SIZES.jobs,
      make: (round) => ({ name, kind: 'gmsup', args: ['--store', store(round)], startTimeoutMs: 600_000 }),
    });
    const targets: Target[] = [
      gmsup('gmsup memory', () => 'memory'),
      gmsup('gmsup sqlite (sync=full)', (r) => `sqlite:${join(dir, `full-${r}.db`)}`),
      gmsup('gmsup sqlite (sync=normal)', (r) => `sqlite:${join(dir, `normal-${r}.db`)}?sync=normal`),
    ];
    if (pg) {
      const url = (db: string) => `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${pg!.port}/${db}`;
      targets.push(gmsup('gmsup postgres (sync=full)', () => url(freshPgDb())));
      targets.push(gmsup('gmsup postgres (sync=normal)', () => `${url(freshPgDb())}?sync=normal`));
    }
    if (hasGearmand()) {
      targets.push({
        name: 'gearmand -q libsqlite3',
        jobs: SIZES.gearmandJobs,
        make: (r) => ({
          name: 'gearmand -q libsqlite3',
          kind: 'gearmand',
          args: ['-q', 'libsqlite3', '--libsqlite3-db', join(dir, `gearmand-${r}.db`)],
        }),
      });
      if (pg) {
        targets.push({
          name: 'gearmand -q Postgres',
          jobs: SIZES.gearmandJobs,
          make: () => ({
            name: 'gearmand -q Postgres',
            kind: 'gearmand',
            args: [
              '-q',
              'Postgres',
              '--libpq-conninfo',
              `host=127.0.0.1 port=${pg!.port} user=postgres password=${PG_PASSWORD} dbname=${freshPgDb()}`,
            ],
          }),
        });
      }
    } else notes.push('gearmand targets skipped: gearmand not installed');

    // Rounds interleave the targets so that load from other programs hits each alike; best round kept.
    const best = new Map<string, Rates>();
    for (let round = 1; round <= SIZES.rounds; round++) {
      for (const t of targets) {
        process.stderr.write(`bench: store: ${t.name} (round ${round}/${SIZES.rounds}) ...\n`);
        try {
          const r = await submitDrain(loadgen.binPath, t.make(round), t.jobs);
          const b = best.get(t.name);
          if (!b || r.submit + r.drain > b.submit + b.drain) best.set(t.name, r);
        } catch (err) {
          notes.push(`${t.name}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200));
        }
      }
    }
    const refs = (f: (r: Rates) => number) =>
      targets.slice(1).map((t) => [t.name, best.has(t.name) ? f(best.get(t.name)!) : null] as [string, number | null]);
    const mem = best.get('gmsup memory');
    const group =
      `store: background ${SIZES.jobs} x 100 B (gearmand SQL queues ${SIZES.gearmandJobs}), ` +
      'gmsup memory vs the rest';
    const rows: BenchRow[] = [
      row(
        group,
        `submit (${CLIENTS} clients, 1 round trip/job)`,
        'jobs/s',
        'higher',
        mem?.submit ?? null,
        refs((r) => r.submit),
      ),
      row(
        group,
        `drain (${WORKERS} workers)`,
        'jobs/s',
        'higher',
        mem?.drain ?? null,
        refs((r) => r.drain),
      ),
      row(
        group,
        'server CPU per submitted job',
        'µs',
        'lower',
        mem?.submitCpuMicros ?? null,
        refs((r) => r.submitCpuMicros),
      ),
      row(
        group,
        'server CPU per drained job',
        'µs',
        'lower',
        mem?.drainCpuMicros ?? null,
        refs((r) => r.drainCpuMicros),
        notes.join('; ') || undefined,
      ),
    ];

    // Crash figures for the durable stores, and how long loading 1M stored jobs takes.
    const crashTargets: Array<[string, TargetSpec]> = [['sqlite', targets[1]!.make(99)]];
    if (pg) crashTargets.push(['postgres', targets.find((t) => t.name === 'gmsup postgres (sync=full)')!.make(99)]);
    const crashes = new Map<string, CrashResult>();
    for (const [name, spec] of crashTargets) {
      process.stderr.write(`bench: store: crash ${name} ...\n`);
      const r = await attempt(`crash ${name}`, () => crash(loadgen.binPath, spec, SIZES.crashJobs), notes);
      if (r !== null) crashes.set(name, r);
    }
    const sqliteCrash = crashes.get('sqlite');
    const pgCrash = crashes.get('postgres');
    const cg = `store: ${SIZES.crashJobs} queued, kill -9, restart (gmsup sqlite; reference column: gmsup postgres)`;
    rows.push(
      row(cg, 'jobs queued before kill -9', 'jobs', 'higher', sqliteCrash?.queued ?? null, [
        ['gmsup postgres', pgCrash?.queued ?? null],
      ]),
      row(cg, 'jobs recovered (must be all)', 'jobs', 'higher', sqliteCrash?.recovered ?? null, [
        ['gmsup postgres', pgCrash?.recovered ?? null],
      ]),
      row(cg, 'kill -9 to serving again', 'ms', 'lower', sqliteCrash?.serveAgainMs ?? null, [
        ['gmsup postgres', pgCrash?.serveAgainMs ?? null],
      ]),
    );
    process.stderr.write(`bench: store: load ${SIZES.loadJobs} ...\n`);
    const load = await attempt(
      'load sqlite',
      () => crash(loadgen.binPath, targets[2]!.make(98), SIZES.loadJobs),
      notes,
    );
    const pgTarget = targets.find((t) => t.name === 'gmsup postgres (sync=normal)');
    const loadPg = pgTarget
      ? await attempt('load postgres', () => crash(loadgen.binPath, pgTarget.make(98), SIZES.loadJobs), notes)
      : null;
    const lg = `store: ${SIZES.loadJobs} stored jobs loaded at start (gmsup sqlite; reference column: gmsup postgres)`;
    rows.push(
      row(lg, 'jobs loaded', 'jobs', 'higher', load?.recovered ?? null, [
        ['gmsup postgres', loadPg?.recovered ?? null],
      ]),
      row(
        lg,
        'kill -9 to serving again (load included)',
        'ms',
        'lower',
        load?.serveAgainMs ?? null,
        [['gmsup postgres', loadPg?.serveAgainMs ?? null]],
        notes.slice(-4).join('; ') || undefined,
      ),
    );
    return rows;
  } finally {
    loadgen.remove();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
