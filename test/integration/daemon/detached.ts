// `gmsup start FILE --daemon` for tests (optionally under another umask), with the daemon it started
// stopped in t.after (SIGTERM to its pid, SIGKILL if it still lives after 20 s).

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
  // Read now: the temp dir (and the pid file in it) may be gone by the time the after hooks run.
  const pid = readDaemonPid(stateDirFor(file));
  t.after(async () => {
    if (pid === null || !isAlive(pid)) return;
    process.kill(pid, 'SIGTERM'); // drains and stops its workers, like `gmsup stop`
    await waitFor(() => !isAlive(pid), { timeoutMs: 20_000, what: `daemon ${pid} to exit` }).catch(() => {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
