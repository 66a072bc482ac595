// Running third-party programs (gearman, gearadmin, php, perl) from interop tests: one-shot runs with
// a deadline, and long-running workers in their own process group, killed (by group id) on stop.

import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../helpers/wait-for.js';
import { adminWorkers } from '../../src/client/index.js';

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runProgram(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ProgramResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      killGroup(child);
      const stdout = JSON.stringify(Buffer.concat(out).toString());
      const stderr = JSON.stringify(Buffer.concat(err).toString());
      reject(
        new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms; stdout=${stdout} stderr=${stderr}`),
      );
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    // A program that exits without reading its input (gearman -b returns once the job is queued) makes
    // the write fail with EPIPE: its exit status and output say how it went, not that write.
    child.stdin!.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') err.push(Buffer.from(`stdin: ${e.message}\n`));
    });
    child.stdin!.end(opts.input ?? '');
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface LongProgram {
  child: ChildProcess;
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** Starts a long-running program (a worker) in its own process group. */
export function startProgram(cmd: string, args: string[]): LongProgram {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    child,
    output: () => text,
    exited: () => exited,
    async stop() {
      killGroup(child);
      await waitFor(() => exited, { timeoutMs: 5000, what: `${cmd} to exit` });
    },
  };
}

/** Waits until `count` connections on the server have registered `fn`. */
export async function waitForWorkers(server: string, fn: string, count = 1): Promise<void> {
  await waitFor(async () => (await adminWorkers(server)).filter((w) => w.functions.includes(fn)).length >= count, {
    timeoutMs: 10_000,
    what: `${count} worker(s) for ${fn}`,
  });
}

export function hostPortArgs(port: number): string[] {
  return ['-h', '127.0.0.1', '-p', String(port)];
}
