// Real gmsup processes for the fan-out tests and bench: `gmsup server` and `gmsup work http_call`,
// each in its own process group, reaped by PID/group on stop.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../helpers/wait-for.js';

const gmsupBin = fileURLToPath(new URL('../../../bin/gmsup.js', import.meta.url));
export const httpCallModule = fileURLToPath(new URL('../../../examples/fanout/http-call.ts', import.meta.url));

export interface Proc {
  child: ChildProcess;
  output(): string;
  exited(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnGmsup(args: string[]): Proc {
  const child = spawn(process.execPath, [gmsupBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  return {
    child,
    output: () => out,
    exited: () => exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (exited) return;
      killGroup(signal);
      try {
        await waitFor(() => exited, { timeoutMs: 5000, what: `gmsup ${args[0]} to exit` });
      } catch {
        killGroup('SIGKILL');
        await waitFor(() => exited, { timeoutMs: 5000, what: `gmsup ${args[0]} to die` });
      }
    },
  };
}

/** `gmsup server --listen 127.0.0.1:0`, resolved once it printed its address. */
export async function startServer(): Promise<Proc & { address: string }> {
  const p = spawnGmsup(['server', '--listen', '127.0.0.1:0']);
  const address = await waitFor(
    () => /listening on (\S+)/.exec(p.output())?.[1] ?? (p.exited() ? 'exited' : undefined),
    { timeoutMs: 15_000, what: 'gmsup server to listen' },
  );
  if (address === 'exited') throw new Error(`gmsup server exited: ${p.output()}`);
  return Object.assign(p, { address });
}

/** `gmsup work http_call --module http-call.ts`, resolved once registered. */
export async function startHttpWorker(server: string, concurrency: number): Promise<Proc> {
  const p = spawnGmsup(['work', 'http_call', '--module', httpCallModule, '-c', String(concurrency), '-s', server]);
  await waitFor(() => p.output().includes('registered') || p.exited(), {
    timeoutMs: 15_000,
    what: 'http_call worker to register',
  });
  if (p.exited()) throw new Error(`worker exited: ${p.output()}`);
  return p;
}
