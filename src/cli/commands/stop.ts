// `gmsup stop [FILE]`: asks the daemon to drain and stop, and waits until it is gone.

import { parseCommandArgs } from '../args.js';
import { connectDaemon } from '../../control/connect.js';
import { socketAnswers } from '../../control/control-server.js';
import { controlSocketPath, readDaemonPid, stateDirFor } from '../../shared/state-dir.js';
import { isProcessAlive } from '../../shared/process-alive.js';
import { GmsupError } from '../../shared/errors.js';

const HELP =
  'Usage: gmsup stop [FILE] [--no-wait]\n' +
  '  Drains the workers and stops the daemon running for FILE (default ./workers.yaml).';
const WAIT_MS = 60_000;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'no-wait': { type: 'boolean' } }, HELP);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { client, configFile } = await connectDaemon(positionals[0]);
  const pid = readDaemonPid(stateDirFor(configFile));
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
    if (!(await socketAnswers(socket, 500)) && (pid === null || !isProcessAlive(pid))) {
      process.stdout.write('gmsup: daemon stopped\n');
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new GmsupError('TIMEOUT', `the daemon is still running after ${WAIT_MS / 1000} s`);
}
