// Autoscale benchmark (issue 12): the same burst of 5,000 jobs of 20 ms on one worker run three ways,
// `instances: 1`, `instances: 8` and `autoscale: { min: 1, max: 8 }`, interleaved: drain time, the CPU
// seconds of the daemon and all its workers during the drain (from /proc, reaped workers included), and
// the idle footprint once the burst is over (worker processes and their RSS, the daemon's RSS).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot, startDaemon, stopDaemon, waitRegistered } from '../../examples/fanout/daemon-ctl.js';
import { GearmanClient } from '../../src/client/index.js';
import { freePort } from '../../test/helpers/gearmand.js';
import { treeCpuSeconds, treeFootprint } from '../lib/proc-tree.js';
import type { BenchRow } from '../report.js';

const quick = process.env.BENCH_QUICK === '1';
const JOBS = 5000;
const ROUNDS = quick ? 1 : 2;
const COOLDOWN_S = 10;
const FN = 'sleep20';
const MODULE = fileURLToPath(new URL('../lib/sleep-20ms.mjs', import.meta.url));

type Variant = 'fixed1' | 'fixed8' | 'auto';
const NAMES: Record<Variant, string> = {
  fixed1: 'instances: 1',
  fixed8: 'instances: 8',
  auto: 'autoscale 1..8',
};

interface Run {
  drainMs: number;
  cpuSeconds: number;
  /** Worker processes (instances and warm spare) once idle after the burst. */
  idleProcesses: number;
  idleWorkersRssBytes: number;
  idleDaemonRssBytes: number;
  peakInstances: number;
  /** autoscale: from the end of the drain until one instance is left. */
  backToMinMs: number | null;
}

function yaml(variant: Variant, port: number): string {
  // The load guard is off: the figures must not depend on what else loads the machine meanwhile.
  const sizing =
    variant === 'auto'
      ? `autoscale: { min: 1, max: 8, target_wait: 2s, cooldown: ${COOLDOWN_S}s, max_load_per_core: false }`
      : `instances: ${variant === 'fixed1' ? 1 : 8}`;
  const worker = `  ${FN}:\n    module: ${JSON.stringify(MODULE)}\n    ${sizing}\n`;
  return `server: { listen: 127.0.0.1:${port} }\nworkers:\n${worker}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOnce(dir: string, variant: Variant): Promise<Run> {
  const port = await freePort();
  const file = join(dir, `${variant}.yaml`);
  writeFileSync(file, yaml(variant, port));
  startDaemon(file);
  try {
    const first = await waitRegistered(file, 60_000);
    const pid = first.daemon.pid;
    await sleep(2000); // start-up work (module compile, warm spare) out of the way
    const client = new GearmanClient({ servers: [`127.0.0.1:${port}`] });
    try {
      await client.submit(FN, 'warm-up'); // connected before the clock starts
      const cpu0 = treeCpuSeconds(pid);
      const t0 = performance.now();
      const results = await Promise.all(Array.from({ length: JOBS }, (_, i) => client.submit(FN, `j${i}`)));
      const drainMs = performance.now() - t0;
      const cpuSeconds = treeCpuSeconds(pid) - cpu0;
      if (results.some((r, i) => r.toString() !== `j${i}`))
        throw new Error(`${variant}: a job returned a wrong result`);
      const after = await snapshot(file);
      const prog = after?.programs[0];
      const peakInstances = Math.max(prog?.desired ?? 0, prog?.autoscale?.lastChange?.to ?? 0);
      let backToMinMs: number | null = null;
      if (variant === 'auto') {
        const drainedAt = performance.now();
        for (let i = 0; i < 120; i++) {
          const s = await snapshot(file);
          if (s?.programs[0]?.desired === 1 && s.instances.length === 1) break;
          await sleep(500);
        }
        backToMinMs = performance.now() - drainedAt;
      }
      await sleep(3000); // drained processes gone, RSS settled
      const idle = treeFootprint(pid);
      return {
        drainMs,
        cpuSeconds,
        idleProcesses: idle.processes,
        idleWorkersRssBytes: idle.rssBytes,
        idleDaemonRssBytes: idle.rootRssBytes,
        peakInstances,
        backToMinMs,
      };
    } finally {
      await client.close();
    }
  } finally {
    stopDaemon(file);
  }
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export default async function autoscaleBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-bench-autoscale-'));
  const runs: Record<Variant, Run[]> = { fixed1: [], fixed8: [], auto: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of ['fixed8', 'auto', 'fixed1'] as const) {
        const r = await runOnce(dir, v);
        process.stderr.write(`bench: autoscale ${NAMES[v]} round ${round + 1}: ${JSON.stringify(r)}\n`);
        runs[v].push(r);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const m = (v: Variant, f: (r: Run) => number) => median(runs[v].map(f));
  const group = `autoscale: burst of ${JOBS.toLocaleString('en-US')} jobs of 20 ms (gmsup = autoscale 1..8)`;
  const row = (metric: string, unit: string, f: (r: Run) => number): BenchRow => ({
    group,
    metric,
    unit,
    better: 'lower',
    gmsup: m('auto', f),
    references: [
      { name: NAMES.fixed8, value: m('fixed8', f) },
      { name: NAMES.fixed1, value: m('fixed1', f) },
    ],
  });
  const backMs = m('auto', (r) => r.backToMinMs ?? 0);
  return [
    row('drain time', 'ms', (r) => r.drainMs),
    row('CPU seconds, daemon + workers, during the drain', 's', (r) => r.cpuSeconds),
    row('idle worker processes after the burst (instances + warm spare)', 'count', (r) => r.idleProcesses),
    row('idle RSS of the worker processes after the burst', 'MiB', (r) => r.idleWorkersRssBytes / 2 ** 20),
    row('idle RSS of the daemon after the burst', 'MiB', (r) => r.idleDaemonRssBytes / 2 ** 20),
    {
      ...row('peak instances', 'count', (r) => r.peakInstances),
      note:
        `median of ${ROUNDS}; autoscale back to 1 instance ${((backMs ?? 0) / 1000).toFixed(1)} s after the ` +
        `drain (cooldown ${COOLDOWN_S} s); load guard off`,
    },
  ];
}
