// `gmsup stop [FILE]`: asks the daemon to drain and stop, and waits until it is gone.

import { parseCommandArgs } from '../args.js';
import { connectDaemon } from '../../control/connect.js';
import { socketAnswers } from '../../control/control-server.js';
import { readFileSync } from 'node:fs';
import { controlSocketPath, pidFilePath, stateDirFor } from '../../control/paths.js';
import { GmsupError } from '../../shared/errors.js';

const HELP = 'Usage: gmsup stop [FILE] [--no-wait]\n  Drains the workers and stops the daemon running for FILE (default ./workers.yaml).';
const WAIT_MS = 60_000;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'no-wait': { type: 'boolean' } }, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { client, configFile } = await connectDaemon(positionals[0]);
  const pid = daemonPid(configFile);
  try {
    await client.call('stop', {});
  } finally {
    client.close();
  }
  if (values['no-wait']) return 0;
  const socket = controlSocketPath(stateDirFor(configFile));
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    // Gone means the process too: a `gmsup start` right after must not race its last clean-up steps.
    if (!(await socketAnswers(socket, 500)) && (pid === null || !alive(pid))) {
      process.stdout.write('gmsup: daemon stopped\n');
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new GmsupError('TIMEOUT', `the daemon is still running after ${WAIT_MS / 1000} s`);
}

function daemonPid(configFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidFilePath(stateDirFor(configFile)), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // An exited process its parent has not reaped yet (a zombie) counts as gone.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
