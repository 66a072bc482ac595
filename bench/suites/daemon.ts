// Daemon benchmark (issue 4 item 12): with 32 instances of the same tiny Node worker on one gearmand,
// time from start to all registered, SIGKILL-to-re-registered latency (median, p95; polling the server's
// `workers`), and the manager's RSS and idle CPU: gmsup beside supervisord and PM2 in the same run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../report.js';
import { FN, hasSupervisord, startGmsup, startPm2, startSupervisord, type Manager } from '../lib/managers.js';
import { adminText, cpuSeconds, gearmand, hasGearmand, memInfo, startTarget } from '../lib/server-targets.js';

const quick = process.env.BENCH_QUICK === '1';
const N = 32;
const KILLS = quick ? 7 : 15;
const IDLE_MS = quick ? 3000 : 5000;

interface Figures {
  startMs: number | null;
  restartMedianMs: number | null;
  restartP95Ms: number | null;
  rssBytes: number | null;
  idleCpuPercent: number | null;
}

/** Client ids of the connections that registered FN. */
async function registered(port: number): Promise<string[]> {
  const reply = await adminText(port, 'workers', 2000);
  const ids: string[] = [];
  for (const line of reply.split('\n')) {
    const [, id, functions] = /^\d+ \S+ (\S+) :(.*)$/.exec(line.trim()) ?? [];
    if (id !== undefined && functions?.split(' ').includes(FN)) ids.push(id);
  }
  return ids;
}

async function pollUntil<T>(fn: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const pidOf = (clientId: string) => Number(clientId.split(':').at(-1));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile (p in 0..1); null for no samples. */
const percentile = (xs: number[], p: number): number | null =>
  sorted(xs)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] ?? null;

async function measure(start: () => Manager & { ready?: Promise<void> }, port: number): Promise<Figures> {
  const t0 = performance.now();
  const m = start();
  try {
    await pollUntil(async () => ((await registered(port)).length >= N ? true : null), 60_000, `${N} registered`);
    const startMs = performance.now() - t0;
    await m.ready;
    await new Promise((r) => setTimeout(r, 1500)); // let start-up work settle before the idle sample
    const pid = m.pid();
    const cpu0 = cpuSeconds(pid);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleCpuPercent = ((cpuSeconds(pid) - cpu0) / ((performance.now() - w0) / 1000)) * 100;
    const rssBytes = memInfo(pid).rssBytes;
    const original = new Set(await registered(port));
    const latencies: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = new Set(await registered(port));
      const victim = [...before].find((id) => original.has(id));
      if (!victim) break;
      original.delete(victim);
      const k0 = performance.now();
      process.kill(pidOf(victim), 'SIGKILL');
      await pollUntil(
        async () => {
          const now = await registered(port);
          return now.length >= N && now.some((id) => !before.has(id)) ? true : null;
        },
        20_000,
        `re-registration after kill ${k}`,
      );
      latencies.push(performance.now() - k0);
      await new Promise((r) => setTimeout(r, 200));
    }
    return {
      startMs,
      rssBytes,
      idleCpuPercent,
      restartMedianMs: latencies.length ? percentile(latencies, 0.5) : null,
      restartP95Ms: latencies.length ? percentile(latencies, 0.95) : null,
    };
  } finally {
    await m.stop();
  }
}

export default async function daemonBench(): Promise<BenchRow[]> {
  if (!hasGearmand()) throw new Error('gearmand is not installed (apt-get install gearman-job-server)');
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-bench-daemon-'));
  const results = new Map<string, Figures | null>();
  const only = process.env.BENCH_DAEMON_ONLY; // e.g. "gmsup" while iterating
  const run = async (name: string, fn: (server: string, port: number) => Manager & { ready?: Promise<void> }) => {
    if (only && !name.startsWith(only)) return;
    const gd = await startTarget(gearmand(['--threads=0']));
    const server = `127.0.0.1:${gd.port}`;
    try {
      process.stderr.write(`bench daemon: ${name} ...\n`);
      results.set(name, await measure(() => fn(server, gd.port), gd.port));
    } catch (err) {
      process.stderr.write(`bench daemon: ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      results.set(name, null);
    } finally {
      await gd.stop();
    }
  };
  try {
    await run('gmsup', (server) => startGmsup(dir, server, N, 'module'));
    await run('gmsup (.ts module)', (server) => startGmsup(dir, server, N, 'ts'));
    await run('gmsup (process:)', (server) => startGmsup(dir, server, N, 'process'));
    if (hasSupervisord()) await run('supervisord', (server) => startSupervisord(dir, server, N));
    await run('PM2', (server) => startPm2(dir, server, N));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const g = results.get('gmsup') ?? null;
  const refs = (key: keyof Figures) =>
    [...results.entries()].filter(([n]) => n !== 'gmsup').map(([name, f]) => ({ name, value: f ? f[key] : null }));
  const group = `daemon: ${N} instances of a tiny Node worker on gearmand`;
  return [
    {
      group,
      metric: 'start to all registered',
      unit: 'ms',
      better: 'lower',
      gmsup: g?.startMs ?? null,
      references: refs('startMs'),
    },
    {
      group,
      metric: 'SIGKILL to re-registered, median',
      unit: 'ms',
      better: 'lower',
      gmsup: g?.restartMedianMs ?? null,
      references: refs('restartMedianMs'),
    },
    {
      group,
      metric: 'SIGKILL to re-registered, p95',
      unit: 'ms',
      better: 'lower',
      gmsup: g?.restartP95Ms ?? null,
      references: refs('restartP95Ms'),
    },
    {
      group,
      metric: 'manager RSS',
      unit: 'MiB',
      better: 'lower',
      gmsup: g?.rssBytes != null ? g.rssBytes / 1048576 : null,
      references: refs('rssBytes').map((r) => ({ ...r, value: r.value != null ? r.value / 1048576 : null })),
    },
    {
      group,
      metric: 'manager idle CPU',
      unit: '%',
      better: 'lower',
      gmsup: g?.idleCpuPercent ?? null,
      references: refs('idleCpuPercent'),
    },
  ];
}
