// `gmsup start [FILE] [--daemon] [--tui]`: runs the daemon in the foreground (logs to stdout), detached
// (pid file + daemon.log; returns once the control socket answers), or with the dashboard attached.

import { spawn } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs } from '../args.js';
import { loadConfig } from '../../config/load.js';
import { socketAnswers } from '../../control/control-server.js';
import { controlSocketPath, resolveConfigFile, stateDirFor } from '../../shared/state-dir.js';
import { openPrivateFile } from '../../shared/state-files.js';
import { GmsupError } from '../../shared/errors.js';
import { runDaemon } from '../../supervisor/daemon.js';
import { prepareState } from '../../supervisor/state-setup.js';

const HELP = `Usage: gmsup start [FILE] [--daemon] [--tui]
  Starts the workers of FILE (default ./workers.yaml) and supervises them.
  --daemon  detach: write a pid file and daemon.log in the state directory, return once it answers
  --tui     start detached and show the dashboard (q asks, then stops the daemon; d detaches)
  Ctrl-C (SIGINT) or SIGTERM drains the workers and stops; a second one forces.`;

const BIN = fileURLToPath(new URL('../../../bin/gmsup.js', import.meta.url));
const DETACH_READY_TIMEOUT_MS = 30_000;
/** How long `q` + `y` in the dashboard waits for the daemon to finish draining. */
const STOP_WAIT_MS = 120_000;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { daemon: { type: 'boolean' }, tui: { type: 'boolean' } },
    HELP,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new GmsupError('USAGE', `one config file at most\n${HELP}`);
  const file = resolveConfigFile(positionals[0]);
  if (values.daemon) return detach(file);
  if (values.tui) return withDashboard(file);
  // A detached daemon (started by --daemon below) writes daemon.log only; its stdout is daemon.stderr.
  const code = await runDaemon({ configFile: file, echoToStdout: process.env.GMSUP_DETACHED !== '1' });
  exitSoon(code);
  return code;
}

/** If something (a stray handle) keeps the loop alive after shutdown, exit anyway. */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 1500).unref();
}

async function detach(file: string, quiet = false): Promise<number> {
  const config = await loadConfig(file); // report an invalid file here, on the terminal, with exit code 2
  // An unsafe state directory or file is reported here too (exit 13), before anything detaches.
  const paths = prepareState(config);
  const socket = paths.controlSocket;
  if (await socketAnswers(socket)) throw new GmsupError('ALREADY_RUNNING', `a daemon is already running for ${file}`);
  const logFile = paths.daemonLog;
  const fd = openPrivateFile(paths.daemonStderr, 'append');
  const child = spawn(process.execPath, [BIN, 'start', file], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, GMSUP_DETACHED: '1' },
  });
  closeSync(fd);
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? 1;
  });
  child.unref();
  const deadline = Date.now() + DETACH_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) throw startFailed(exited, [paths.daemonStderr, logFile]);
    if (await socketAnswers(socket, 500)) {
      if (!quiet) process.stdout.write(`gmsup: daemon started (pid ${child.pid}) for ${file}; log: ${logFile}\n`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new GmsupError(
    'TIMEOUT',
    `the daemon did not answer within ${DETACH_READY_TIMEOUT_MS} ms (pid ${child.pid}); see ${logFile}`,
  );
}

/**
 * `start --tui`: the daemon runs detached (as with --daemon) and the dashboard attaches to it, so `d`
 * really detaches (the daemon keeps running without this terminal) and `q` + `y` stops it.
 */
async function withDashboard(file: string): Promise<number> {
  const { runDashboard, requireTerminal } = await import('../../tui/index.js');
  requireTerminal(); // before anything starts
  await detach(file, true);
  const socket = controlSocketPath(stateDirFor(file));
  const waitForExit = async () => {
    const deadline = Date.now() + STOP_WAIT_MS;
    while (Date.now() < deadline && (await socketAnswers(socket, 500))) await new Promise((r) => setTimeout(r, 100));
  };
  return runDashboard({ configFile: file, embeddedStop: waitForExit });
}

/** The detached daemon exited before it answered: its own error (daemon.stderr) and the end of daemon.log. */
function startFailed(code: number, files: string[]): GmsupError {
  const tails = files.map((f) => {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      return ''; // not written yet: nothing to show from it
    }
    const tail = text.trimEnd().split('\n').slice(-15).join('\n');
    return tail ? `end of ${f}:\n${tail}` : '';
  });
  const detail = tails.filter(Boolean).join('\n') || 'it wrote nothing';
  return new GmsupError('SPAWN_ERROR', `the daemon exited at start (code ${code}); ${detail}`);
}
