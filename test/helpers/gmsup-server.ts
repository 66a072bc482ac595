// `gmsup server` as a real child process for tests: its output collected, its exit awaited, killed and
// reaped when the test ends; `listeningPort` waits for the "listening on HOST:PORT" line.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

const BIN = fileURLToPath(new URL('../../bin/gmsup.js', import.meta.url));

type After = { after(fn: () => void | Promise<void>): void };

export interface ServerRun {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

/** Runs `gmsup server ...args`; the test's end kills it (SIGKILL) and waits for its exit. */
export function runServer(t: After, args: string[]): ServerRun {
  const child = spawn(process.execPath, [BIN, 'server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
  });
  return { child, out: () => out, err: () => err, exit };
}

/** The port from the server's "listening on HOST:PORT" line; fails at once if the server exits first. */
export function listeningPort(run: ServerRun, timeoutMs = 15_000): Promise<number> {
  return waitFor(
    () => {
      if (run.child.exitCode !== null) throw new Error(`gmsup server exited: ${run.err()}`);
      const m = /listening on [^\s]*:(\d+)/.exec(run.out());
      return m ? Number(m[1]) : undefined;
    },
    { timeoutMs, what: 'gmsup server to listen' },
  );
}
