// Builds the libgearman load generator (bench/lib/loadgen-gearman.c) into a temp dir at bench time and
// runs it: one-shot modes (fg, bg, drain) and a long-running echo-worker process. Never commits binaries.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const LOADGEN_SOURCE = join(here, 'loadgen-gearman.c');

/** What the C program prints (one JSON line). Latency fields only in fg mode. */
export interface LoadgenResult {
  mode: string;
  jobs: number;
  errors: number;
  seconds: number;
  rate: number;
  p50_ms?: number;
  p99_ms?: number;
  max_ms?: number;
  timed_out: boolean;
}

export interface LoadgenArgs {
  port: number;
  host?: string;
  fn: string;
  threads: number;
  /** fg/bg: jobs to submit (fg: 0 = a timed round of maxSeconds); work: stop after this many. */
  jobs?: number;
  sizeBytes?: number;
  batch?: number;
  /** fg only: echo worker threads in the same process as the clients. */
  workers?: number;
  /** Hard bound for every mode; with fg and `jobs: 0`, the length of a timed round. */
  maxSeconds: number;
}

/** libgearman headers and a C compiler are present (libgearman-dev, gcc). */
export function canBuildLoadgen(): boolean {
  if (
    !existsSync('/usr/include/libgearman-1.0/gearman.h') &&
    !existsSync('/usr/local/include/libgearman-1.0/gearman.h')
  )
    return false;
  return spawnSync('sh', ['-c', 'command -v gcc'], { stdio: 'ignore' }).status === 0;
}

export interface BuiltLoadgen {
  binPath: string;
  /** Removes the temp dir holding the binary. */
  remove(): void;
}

export function buildLoadgen(): BuiltLoadgen {
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-loadgen-'));
  const binPath = join(dir, 'loadgen');
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', binPath, LOADGEN_SOURCE, '-lgearman', '-lpthread'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `building the load generator failed (needs gcc and libgearman-dev): ${r.stderr || r.error?.message}`,
    );
  }
  return { binPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function argv(mode: string, a: LoadgenArgs): string[] {
  const out = [
    mode,
    '--host',
    a.host ?? '127.0.0.1',
    '--port',
    String(a.port),
    '--fn',
    a.fn,
    '--threads',
    String(a.threads),
  ];
  out.push('--seconds', String(a.maxSeconds));
  if (a.jobs !== undefined) out.push('--jobs', String(a.jobs));
  if (a.sizeBytes !== undefined) out.push('--size', String(a.sizeBytes));
  if (a.batch !== undefined) out.push('--batch', String(a.batch));
  if (a.workers !== undefined) out.push('--workers', String(a.workers));
  return out;
}

function parseResult(stdout: string, stderr: string, what: string): LoadgenResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as LoadgenResult;
  } catch {
    throw new Error(`loadgen ${what} printed no result: ${stdout.slice(0, 200)} ${stderr.slice(0, 500)}`);
  }
}

/** Runs one bounded mode to completion (the C program stops at maxSeconds; we kill at maxSeconds + 15 s). */
export function runLoadgen(binPath: string, mode: 'fg' | 'bg' | 'work', a: LoadgenArgs): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binPath, argv(mode, a), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    // In-process workers outlive the clients' deadline by up to 30 s (they finish the last jobs).
    const killTimer = setTimeout(() => child.kill('SIGKILL'), (a.maxSeconds + 15 + (a.workers ? 30 : 0)) * 1000);
    child.once('error', (err) => {
      clearTimeout(killTimer);
      reject(err);
    });
    child.once('close', () => {
      clearTimeout(killTimer);
      try {
        resolve(parseResult(stdout, stderr, mode));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export interface WorkerPool {
  pid: number;
  /** SIGTERM, wait (bounded) for the summary line. */
  stop(): Promise<LoadgenResult>;
}

/** Starts M echo workers in one process that run until stop() (or maxSeconds). */
export function startWorkers(binPath: string, a: LoadgenArgs): WorkerPool {
  const child = spawn(binPath, argv('work', a), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), (a.maxSeconds + 15) * 1000);
  return {
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      await closed;
      clearTimeout(hard);
      clearTimeout(killTimer);
      return parseResult(stdout, stderr, 'work');
    },
  };
}
