// A real gmsup daemon for the dashboard tests: writes a config (embedded server on a free port, worker
// modules in the temp dir), starts it detached with `gmsup start --daemon`, stops it in t.after.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ControlClient } from '../../src/control/control-client.js';
import { controlSocketPath, readDaemonPid, stateDirFor } from '../../src/shared/state-dir.js';
import { isProcessAlive } from '../../src/shared/process-alive.js';
import type { Snapshot } from '../../src/control/snapshot.js';
import { waitFor } from '../helpers/wait-for.js';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gmsup.js');

export function runCli(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gmsup ${args.join(' ')} timed out`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Writes `files` (name -> text) into dir and returns the path of the config written as `w.yaml`. */
export function writeConfig(dir: string, yaml: string, files: Record<string, string> = {}): string {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'w.yaml');
  writeFileSync(file, yaml);
  return file;
}

export async function status(configFile: string): Promise<Snapshot> {
  const c = await ControlClient.connect(controlSocketPath(stateDirFor(configFile)));
  try {
    return await c.call('status', {});
  } finally {
    c.close();
  }
}

/** Starts the daemon detached; registers its stop (also on failure) with t.after. Returns its pid. */
export async function startDaemon(t: TestContext, configFile: string): Promise<number> {
  const r = await runCli(['start', configFile, '--daemon']);
  if (r.code !== 0) throw new Error(`gmsup start --daemon failed (${r.code}): ${r.stderr}${r.stdout}`);
  const snap = await waitFor(() => status(configFile), { timeoutMs: 15_000, what: 'the daemon to answer status' });
  const pid = snap.daemon.pid;
  t.after(() => stopDaemon(configFile, pid));
  return pid;
}

/** `gmsup stop`; if the daemon we started still lives after that, SIGKILL it by its pid. */
export async function stopDaemon(configFile: string, pid = readDaemonPid(stateDirFor(configFile))): Promise<void> {
  if (pid === null || !isProcessAlive(pid)) return;
  await runCli(['stop', configFile], 30_000).catch(() => undefined);
  try {
    await waitFor(() => !isProcessAlive(pid), { timeoutMs: 15_000, what: `daemon ${pid} to exit` });
  } catch {
    if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}
