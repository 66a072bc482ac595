// `gmsup start FILE --daemon` for tests (optionally under another umask), with the daemon it started
// stopped in t.after (`gmsup stop`, then SIGKILL of its pid if it still lives).

import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { readDaemonPid, stateDirFor } from '../../../src/shared/state-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN, isAlive } from './daemon-harness.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function startDetached(t: TestContext, file: string, umask = '022'): CliResult {
  const r = spawnSync(
    'sh',
    ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, BIN, 'start', file, '--daemon'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  t.after(async () => {
    const pid = readDaemonPid(stateDirFor(file));
    if (pid === null || !isAlive(pid)) return;
    spawnSync(process.execPath, [BIN, 'stop', file], { timeout: 30_000 });
    await waitFor(() => !isAlive(pid), { timeoutMs: 15_000, what: `daemon ${pid} to exit` }).catch(() => {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
