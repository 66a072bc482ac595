// The job servers the server benchmark compares: gmsup's embedded server (`gmsup server`, built dist/)
// and gearmand 1.1.20 with given flags, each a separate process on a loopback port; RSS from /proc.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/gearmand.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TargetSpec {
  /** Label used in the table, e.g. "gearmand --threads=0". */
  name: string;
  kind: 'gmsup' | 'gearmand';
  args: string[];
  /** gmsup only: the checkout whose bin/ and dist/ to run (default this one), for A/B runs of two builds. */
  root?: string;
  /** gmsup kind only: a Node script run instead of `bin/gmsup.js server` (it prints "listening on HOST:PORT"). */
  script?: string;
  /** Extra environment for the server process. */
  env?: Record<string, string>;
  /** gmsup only: how long to wait for "listening on" (a durable store loads its jobs first). Default 15 s. */
  startTimeoutMs?: number;
}

export interface RunningTarget {
  spec: TargetSpec;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export const GMSUP: TargetSpec = { name: 'gmsup', kind: 'gmsup', args: [] };
export function gearmand(args: string[]): TargetSpec {
  return { name: args.length ? `gearmand ${args.join(' ')}` : 'gearmand (default)', kind: 'gearmand', args };
}

export function hasGearmand(): boolean {
  return spawnSync('gearmand', ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function until<T>(cond: () => T | false | Promise<T | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(hard);
  };
}

/** Extra node flags for the gmsup server process, e.g. BENCH_GMSUP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p". */
function gmsupNodeArgs(): string[] {
  return (process.env.BENCH_GMSUP_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** The server answering on port is the process we started (another test may have taken a freed port). */
async function answersAs(port: number, pid: number): Promise<boolean> {
  const reply = await adminText(port, 'getpid', 5000, false);
  return reply.trim() === `OK ${pid}`;
}

export async function startTarget(spec: TargetSpec): Promise<RunningTarget> {
  if (spec.kind === 'gearmand') {
    for (let attempt = 1; ; attempt++) {
      const t = await startGearmandOnce(spec);
      if (await answersAs(t.port, t.pid)) return t;
      await t.stop();
      if (attempt >= 3) throw new Error(`${spec.name}: port ${t.port} answered for another process three times`);
    }
  }
  return startGmsup(spec);
}

async function startGearmandOnce(spec: TargetSpec): Promise<RunningTarget> {
  const port = await freePort();
  const child = spawn('gearmand', ['-L', '127.0.0.1', '-p', String(port), '--log-file=none', '-P', '', ...spec.args], {
    stdio: 'ignore',
  });
  const stop = stopper(child);
  try {
    await until(async () => child.exitCode === null && (await canConnect(port)), 10_000, `${spec.name} on ${port}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { spec, port, pid: child.pid ?? -1, stop };
}

async function startGmsup(spec: TargetSpec): Promise<RunningTarget> {
  const child = spawn(
    process.execPath,
    [
      ...gmsupNodeArgs(),
      ...(spec.script !== undefined
        ? [spec.script]
        : [join(spec.root ?? repoRoot, 'bin', 'gmsup.js'), 'server', '--listen', '127.0.0.1:0']),
      ...spec.args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: spec.root ?? repoRoot,
      env: spec.env === undefined ? process.env : { ...process.env, ...spec.env },
    },
  );
  const stop = stopper(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  try {
    const port = await until(
      () => {
        if (child.exitCode !== null) throw new Error(`gmsup server exited (${child.exitCode}): ${err.slice(0, 500)}`);
        const m = /listening on [^\s]*:(\d+)/.exec(out);
        return m ? Number(m[1]) : false;
      },
      spec.startTimeoutMs ?? 15_000,
      'gmsup server to print "listening on"',
    );
    return { spec, port, pid: child.pid ?? -1, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface MemInfo {
  rssBytes: number;
  peakRssBytes: number;
}

/** VmRSS and VmHWM (peak) of a process, from /proc/PID/status. */
export function memInfo(pid: number): MemInfo {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

let clockTicksPerSecond = 0;

/** CPU time (user + system, all threads) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  if (clockTicksPerSecond === 0) {
    clockTicksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // comm may contain spaces
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond; // utime, stime (fields 14, 15)
}

/** Sends one text admin command and returns the reply up to the terminating "." line (or the first line). */
export function adminText(port: number, line: string, timeoutMs = 5000, untilDot = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`admin "${line}" timed out`));
    }, timeoutMs);
    s.on('connect', () => s.write(`${line}\n`));
    s.on('data', (c: Buffer) => {
      buf += c.toString();
      if (untilDot ? /(^|\n)\.\r?\n$/.test(buf) : buf.includes('\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(buf);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Waits until `status` shows at least `workers` available workers for fn (they registered CAN_DO). */
export async function waitForWorkers(port: number, fn: string, workers: number, timeoutMs = 15_000): Promise<void> {
  await until(
    async () => {
      const reply = await adminText(port, 'status');
      const row = reply
        .split('\n')
        .map((l) => l.split('\t'))
        .find((cols) => cols[0] === fn);
      return row !== undefined && Number(row[3]) >= workers;
    },
    timeoutMs,
    `${workers} workers for ${fn} on port ${port}`,
  );
}

/** Queued count for fn from `status` (total jobs, queued + running). */
export async function queuedJobs(port: number, fn: string): Promise<number> {
  const reply = await adminText(port, 'status');
  const row = reply
    .split('\n')
    .map((l) => l.split('\t'))
    .find((cols) => cols[0] === fn);
  return row ? Number(row[1]) : 0;
}
