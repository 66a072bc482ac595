// Starts a real gearmand 1.1.20 on a free loopback port for conformance and interop tests, and
// stops it (by its own PID) when the test ends.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { waitFor } from './wait-for.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface RunningGearmand {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startGearmand(extraArgs: string[] = [], port?: number): Promise<RunningGearmand> {
  const p = port ?? (await freePort());
  const child = spawn('gearmand', ['-L', '127.0.0.1', '-p', String(p), '--log-file=none', '-P', '', ...extraArgs], {
    stdio: 'ignore',
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  await waitFor(async () => exited || (await canConnect(p)), { timeoutMs: 10_000, what: `gearmand on port ${p}` });
  if (exited) throw new Error(`gearmand exited at start (port ${p})`);
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    try {
      await waitFor(() => exited, { timeoutMs: 5000, what: 'gearmand to exit' });
    } catch {
      child.kill('SIGKILL');
      await waitFor(() => exited, { timeoutMs: 5000, what: 'gearmand to die' });
    }
  };
  return { port: p, process: child, stop };
}
