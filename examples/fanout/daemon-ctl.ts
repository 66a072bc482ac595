// Drives a gmsup daemon through its public CLI (bin/gmsup.js): start --daemon, wait until every
// instance is RUNNING and registered, stop. Used by the demo and the benchmark.

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from 'gmsup/control';

export const gmsupBin = fileURLToPath(new URL('../../bin/gmsup.js', import.meta.url));

function gmsup(args: string[], timeoutMs = 30_000): { code: number; out: string } {
  const r = spawnSync(process.execPath, [gmsupBin, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Async variant so a waiting caller does not block its own event loop (the fleet may share it). */
function gmsupAsync(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [gmsupBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

export function startDaemon(configFile: string): void {
  const r = gmsup(['start', configFile, '--daemon']);
  if (r.code === 9)
    throw new Error(
      `a gmsup daemon already runs for ${configFile}; stop it first: npx gmsup stop ${configFile}\n${r.out}`,
    );
  if (r.code !== 0) throw new Error(`gmsup start ${configFile} --daemon failed (exit ${r.code}):\n${r.out}`);
}

export async function snapshot(configFile: string): Promise<Snapshot | null> {
  const r = await gmsupAsync(['status', configFile, '--json']);
  if (r.code !== 0) return null;
  try {
    return JSON.parse(r.out) as Snapshot;
  } catch {
    return null;
  }
}

/** Resolves with the snapshot once every desired instance is RUNNING and registered on every server. */
export async function waitRegistered(configFile: string, timeoutMs = 30_000): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: Snapshot | null = null;
  while (Date.now() < deadline) {
    last = await snapshot(configFile);
    if (last) {
      const desired = last.programs.reduce((a, p) => a + p.desired, 0);
      const ready = last.instances.filter(
        (i) => i.state === 'RUNNING' && i.registeredOn >= i.serverCount && i.serverCount > 0,
      );
      if (desired > 0 && ready.length >= desired) return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const lastStatus = JSON.stringify(last?.instances ?? null);
  throw new Error(`workers of ${configFile} not registered after ${timeoutMs} ms; last status: ${lastStatus}`);
}

/** `gmsup stop`, which returns once the daemon process itself is gone (exit 3: none was running). */
export function stopDaemon(configFile: string): void {
  const r = gmsup(['stop', configFile], 60_000);
  if (r.code !== 0 && r.code !== 3) throw new Error(`gmsup stop ${configFile} failed (exit ${r.code}):\n${r.out}`);
}

export function statusText(configFile: string): string {
  return gmsup(['status', configFile]).out;
}
