// `gmsup stop [FILE]`: asks the daemon to drain and stop, and waits until it is gone.
// `gmsup stop NAME...|all`: drains and stops those workers; the daemon keeps running (`start NAME` revives).

import { namesAndFile } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { workerNames } from '../worker-names.js';
import { connectDaemon, withDaemon } from '../../control/connect.js';
import { socketAnswers } from '../../control/control-server.js';
import { controlSocketPath, readDaemonPid, stateDirFor } from '../../shared/state-dir.js';
import { isProcessAlive } from '../../shared/process-alive.js';
import { GmsupError } from '../../shared/errors.js';

const WAIT_MS = 60_000;
/** Stopping a worker waits for its drain (stop_timeout) and the kill that may follow. */
const STOP_WORKER_CALL_MS = 15 * 60_000;

export async function run(args: ParsedArgs<'stop'>): Promise<number> {
  const { names, file } = namesAndFile(args);
  if (names.length > 0) return stopWorkers(file, names);
  const { client, configFile } = await connectDaemon(file);
  const stateDir = stateDirFor(configFile);
  const pid = readDaemonPid(stateDir);
  try {
    await client.call('stop', {});
  } finally {
    client.close();
  }
  if (args.values['no-wait']) return 0;
  const socket = controlSocketPath(stateDir);
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    // Gone means the process too: a `gmsup start` right after must not race its last clean-up steps.
    if (!(await socketAnswers(socket, 500)) && (pid === null || !isProcessAlive(pid))) {
      process.stdout.write('gmsup: daemon stopped\n');
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new GmsupError('TIMEOUT', `the daemon is still running after ${WAIT_MS / 1000} s`);
}

async function stopWorkers(file: string, requested: string[]): Promise<number> {
  return withDaemon(file, async (c) => {
    const names = await workerNames(c, requested);
    // One after another: each call returns once that worker's instances have settled.
    for (const name of names) {
      const r = await c.call('stop-worker', { name }, STOP_WORKER_CALL_MS);
      process.stdout.write(`gmsup: ${name} stopped (${r.stopped} instance${r.stopped === 1 ? '' : 's'})\n`);
    }
    return 0;
  });
}
