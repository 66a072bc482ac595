// Starts the real daemon (`bin/gmsup.js start FILE`) in a temp dir with an embedded server on a free
// loopback port, reads its Snapshot over the control socket, and always reaps it and its workers.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { ControlClient } from '../../../src/control/control-client.js';
import { controlSocketPath, stateDirFor } from '../../../src/shared/state-dir.js';
import type { InstanceInfo, Snapshot } from '../../../src/control/snapshot.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/gmsup.js');
export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface RunningDaemon {
  dir: string;
  file: string;
  proc: ChildProcess;
  output: () => string;
  exitCode: Promise<number | null>;
  status(): Promise<Snapshot>;
  /** host:port of the embedded server. */
  server(): Promise<string>;
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Every worker pid the daemon ever reported (for the no-orphans checks). */
  seenPids: Set<number>;
}

export { isProcessAlive as isAlive } from '../../../src/shared/process-alive.js';

export function writeConfig(file: string, yaml: string): void {
  writeFileSync(file, yaml.replace(/^\n/, ''));
}

export async function startDaemon(
  t: TestContext,
  yaml: string,
  opts: { waitRunning?: boolean; dir?: string } = {},
): Promise<RunningDaemon> {
  // `dir`: start again on the same directory (and so the same state dir) as an earlier daemon.
  const dir = opts.dir ?? tempDir(t, 'gmsup-daemon-');
  const file = join(dir, 'workers.yaml');
  writeConfig(file, yaml);
  const proc = spawn(process.execPath, [BIN, 'start', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exitCode = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const seenPids = new Set<number>();
  const socket = controlSocketPath(stateDirFor(file));
  const status = async () => {
    const c = await ControlClient.connect(socket, 2000);
    try {
      const s = await c.call('status', {}, 5000);
      for (const i of s.instances) if (i.pid !== null) seenPids.add(i.pid);
      return s;
    } finally {
      c.close();
    }
  };
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exitCode;
    }
    // Reap anything left (a failed test must not leave workers behind): each worker leads its group.
    for (const pid of seenPids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`the daemon exited with ${proc.exitCode}:\n${out}`);
      return (await status()).instances.length >= 0;
    },
    { timeoutMs: 15_000, what: 'daemon control socket' },
  );
  if (opts.waitRunning !== false) {
    await waitAllRegistered({ status }, 15_000).catch((err: Error) => {
      throw new Error(`${err.message}\ndaemon output:\n${out}`);
    });
  }
  return {
    dir,
    file,
    proc,
    output: () => out,
    exitCode,
    status,
    seenPids,
    server: async () => (await status()).servers.find((s) => s.embedded)?.address ?? '',
    cli: (...args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** Every slot RUNNING and registered on every server. */
export async function waitAllRegistered(
  d: { status(): Promise<Snapshot> },
  timeoutMs = 15_000,
  what = 'all instances running and registered',
): Promise<Snapshot> {
  let last = '';
  return waitFor(
    async () => {
      const s = await d.status();
      last = s.instances
        .map((i) => `${i.name}/${i.index}/${i.pid} ${i.state} reg ${i.registeredOn}/${i.serverCount} ${i.reason ?? ''}`)
        .join('; ');
      const desired = s.programs.filter((p) => !p.stopped).reduce((n, p) => n + p.desired, 0);
      const live = s.instances.filter((i) => !i.retiring);
      const ok =
        live.length === desired && live.every((i) => i.state === 'RUNNING' && i.registeredOn === i.serverCount);
      return ok ? s : null;
    },
    { timeoutMs, what },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last: ${last}`);
  });
}

export function instancesOf(s: Snapshot, name: string): InstanceInfo[] {
  return s.instances.filter((i) => i.name === name);
}

/** A module fixture path (they live in this directory's fixtures/). */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** items[i], or a failed assertion saying what was missing (no silent undefined). */
export function nth<T>(items: readonly T[], i: number, what: string): T {
  const item = items[i];
  if (item === undefined) throw new Error(`no ${what} at index ${i} (have ${items.length})`);
  return item;
}
