// Dashboard cost (issue 5 item 5): CPU and RSS of `gmsup tui` under tmux at 80x24 against a real daemon
// with 64 instances of a trivial worker across 50 functions and jobs flowing; and the daemon's CPU with
// 0 vs 3 dashboards attached (its sampling runs once a second whoever watches; viewers add only `status`).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearmanClient } from '../../src/client/index.js';
import { freePort } from '../../test/helpers/gearmand.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { BIN, runCli, status, stopDaemon } from '../../test/tui/daemon-fixture.js';
import type { BenchRow } from '../report.js';

const FUNCTIONS = 50;
const INSTANCES = 64;
const DASHBOARDS = 3;
const WINDOW_MS = 30_000;
const TICKS_PER_SEC = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function cpuTicks(pid: number): number {
  // Fields after the parenthesised command: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Percent of one core each pid used over `ms`. */
async function cpuPercent(pids: number[], ms: number): Promise<number[]> {
  const before = pids.map((pid) => ({ pid, ticks: cpuTicks(pid) }));
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, ms));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return before.map(({ pid, ticks }) => ((cpuTicks(pid) - ticks) / TICKS_PER_SEC / secs) * 100);
}

function tmux(socket: string, args: string[]): string {
  const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function configYaml(port: number): string {
  const lines = [`server:\n  listen: 127.0.0.1:${port}`, 'workers:'];
  for (let i = 0; i < FUNCTIONS; i++) {
    // 14 functions get 2 instances, 36 get 1: 64 in all.
    lines.push(
      `  fn${i}:\n    module: echo.mjs\n    instances: ${i < INSTANCES - FUNCTIONS ? 2 : 1}\n    stop_timeout: 1s`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export default async function tuiBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-bench-tui-'));
  const socket = `gmsup-bench-tui-${process.pid}`;
  const cfg = join(dir, 'w.yaml');
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  let flowing = true;
  try {
    writeFileSync(join(dir, 'echo.mjs'), 'export default async (payload) => payload;\n');
    const port = await freePort();
    writeFileSync(cfg, configYaml(port));
    const started = await runCli(['start', cfg, '--daemon'], 120_000);
    if (started.code !== 0) throw new Error(`gmsup start --daemon: ${started.stderr}`);
    cleanups.unshift(() => stopDaemon(cfg));
    const snap = await waitFor(
      async () => {
        const s = await status(cfg);
        return s.instances.filter((i) => i.state === 'RUNNING' && i.registeredOn === i.serverCount).length === INSTANCES
          ? s
          : null;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `${INSTANCES} instances running and registered` },
    );
    const daemonPid = snap.daemon.pid;

    // About 100 jobs/s spread over all 50 functions, so every refresh has something new to draw.
    const client = new GearmanClient({ servers: [`127.0.0.1:${port}`] });
    cleanups.unshift(() => client.close());
    const trickle = (async () => {
      for (let i = 0; flowing && i < 1_000_000; i++) {
        await client.submit(`fn${i % FUNCTIONS}`, `job ${i}`).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    cleanups.unshift(() => trickle);
    cleanups.unshift(() => {
      flowing = false;
    });
    await new Promise((r) => setTimeout(r, 3000));

    const [daemonIdle = null] = await cpuPercent([daemonPid], WINDOW_MS);

    cleanups.unshift(() => spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' }));
    const env = ['-e', 'TERM=xterm-256color', '-e', 'LANG=C.UTF-8'];
    for (let d = 0; d < DASHBOARDS; d++) {
      const args = d === 0 ? ['-f', '/dev/null', 'new-session'] : ['new-session'];
      tmux(socket, [...args, '-d', '-s', `d${d}`, '-x', '80', '-y', '24', ...env, `exec node ${BIN} tui ${cfg}`]);
    }
    const pids = Array.from({ length: DASHBOARDS }, (_, d) =>
      Number(tmux(socket, ['display-message', '-p', '-t', `d${d}`, '#{pane_pid}']).trim()),
    );
    await waitFor(() => pids.every((_, d) => /RUNNING/.test(tmux(socket, ['capture-pane', '-p', '-t', `d${d}`]))), {
      timeoutMs: 20_000,
      what: 'dashboards drawn',
    });
    await new Promise((r) => setTimeout(r, 3000)); // past start-up (module loading, first full draw)

    const cpu = await cpuPercent([daemonPid, ...pids], WINDOW_MS);
    const [daemonWatched = null, ...dash] = cpu;
    const dashRss = mean(pids.map(rssBytes));
    const group = `tui: ${INSTANCES} instances / ${FUNCTIONS} functions, ~100 jobs/s, 80x24 in tmux, refresh 1/s`;
    return [
      {
        group,
        metric: 'dashboard CPU (mean of 3)',
        unit: '% of one core',
        better: 'lower',
        gmsup: mean(dash),
        references: [{ name: 'goal (issue 5)', value: 5 }],
        note: `each: ${dash.map((x) => x.toFixed(2)).join(', ')}; ${WINDOW_MS / 1000} s window`,
      },
      { group, metric: 'dashboard RSS', unit: 'MiB', better: 'lower', gmsup: dashRss / 1048576, references: [] },
      {
        group,
        metric: `daemon CPU, ${DASHBOARDS} dashboards attached`,
        unit: '% of one core',
        better: 'lower',
        gmsup: daemonWatched,
        references: [{ name: 'same daemon, 0 dashboards', value: daemonIdle }],
        note:
          'sampling (pidusage + admin polls) runs once a second in the daemon regardless of viewers; ' +
          'a viewer adds one status call per second',
      },
    ];
  } finally {
    for (const c of cleanups) {
      try {
        await c();
      } catch {
        // best effort: the next cleanup still runs
      }
    }
  }
}
