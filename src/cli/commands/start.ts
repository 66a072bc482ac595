// `gmsup start [FILE] [--daemon] [--tui]`: runs the daemon in the foreground (logs to stdout), detached
// (pid file + daemon.log; returns once the control socket answers), or with the dashboard attached.
// `gmsup start NAME...` starts workers of the running daemon that `gmsup stop NAME` stopped.

import { spawn } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { namesAndFile, usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { workerNames } from '../worker-names.js';
import { loadConfig } from '../../config/load.js';
import { socketAnswers } from '../../control/control-server.js';
import { withDaemon } from '../../control/connect.js';
import { ControlClient } from '../../control/control-client.js';
import { controlSocketPath, stateDirFor } from '../../shared/state-dir.js';
import { openPrivateFile } from '../../shared/state-files.js';
import { codeOfExit, GmsupError } from '../../shared/errors.js';
import { runDaemon } from '../../supervisor/daemon.js';
import { prepareState } from '../../supervisor/state-setup.js';

const BIN = fileURLToPath(new URL('../../../bin/gmsup.js', import.meta.url));
const DETACH_READY_TIMEOUT_MS = 30_000;
/** How long `q` + `y` in the dashboard waits for the daemon to finish draining. */
const STOP_WAIT_MS = 120_000;
/** `start NAME` waits this long for the instances to be RUNNING (a start that keeps failing goes FATAL sooner). */
const START_WAIT_MS = 60_000;

export async function run(args: ParsedArgs<'start'>): Promise<number> {
  const { names, file } = namesAndFile(args);
  if (names.length > 0) {
    if (args.values.daemon || args.values.tui)
      throw usageError('start', '--daemon and --tui start a daemon; `start NAME` starts workers of a running one');
    return startWorkers(file, names);
  }
  if (args.values.daemon) return detach(file);
  if (args.values.tui) return withDashboard(file);
  // A detached daemon (started by --daemon below) writes daemon.log only; its stdout is daemon.stderr.
  const code = await runDaemon({ configFile: file, echoToStdout: process.env.GMSUP_DETACHED !== '1' });
  exitSoon(code);
  return code;
}

/** `start NAME...|all`: the daemon starts them; waits until every instance runs (or one goes FATAL). */
async function startWorkers(file: string, requested: string[]): Promise<number> {
  return withDaemon(file, async (c) => {
    const names = await workerNames(c, requested);
    for (const name of names) await c.call('start-worker', { name });
    const deadline = Date.now() + START_WAIT_MS;
    for (;;) {
      const s = await c.call('status', {});
      const mine = s.instances.filter((i) => names.includes(i.name) && !i.retiring);
      const fatal = mine.find((i) => i.state === 'FATAL');
      if (fatal)
        throw new GmsupError(
          'SPAWN_ERROR',
          `${fatal.name}/${fatal.index} is FATAL: ${fatal.reason ?? fatal.lastExit ?? ''}`,
        );
      const wanted = s.programs.filter((p) => names.includes(p.name)).reduce((n, p) => n + p.desired, 0);
      if (mine.length === wanted && mine.every((i) => i.state === 'RUNNING')) {
        for (const name of names) {
          const n = mine.filter((i) => i.name === name).length;
          process.stdout.write(`gmsup: ${name} started (${n} instance${n === 1 ? '' : 's'} running)\n`);
        }
        return 0;
      }
      if (Date.now() > deadline)
        throw new GmsupError(
          'TIMEOUT',
          `not every instance of ${names.join(', ')} is RUNNING after ${START_WAIT_MS} ms`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

/** If something (a stray handle) keeps the loop alive after shutdown, exit anyway. */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 1500).unref();
}

async function detach(file: string, quiet = false): Promise<number> {
  const config = await loadConfig(file); // report an invalid file here, on the terminal, with exit code 2
  for (const w of config.warnings ?? []) process.stderr.write(`gmsup start: warning: ${w}\n`);
  // An unusable or unsafe state directory is reported here too (exit 16, 13), before anything detaches.
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
    if (exited !== null) throw startFailed(exited, paths.daemonStderr, logFile);
    if (await daemonReady(socket)) {
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
 * Whether the daemon has its job server and supervisor up: the control socket answers early, and `status`
 * fails with "still starting" until then (a bad listen address fails in between).
 */
async function daemonReady(socket: string): Promise<boolean> {
  let client: ControlClient | null = null;
  try {
    client = await ControlClient.connect(socket, 500);
    await client.call('status', {}, 2000);
    return true;
  } catch {
    return false; // not up yet (or never: the caller watches the process exit)
  } finally {
    client?.close();
  }
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

/**
 * The detached daemon exited before it answered: its exit status says why (address in use, state
 * directory, ...) and is passed on. The message is the daemon's own error line (from daemon.stderr) when
 * it wrote one, else the end of daemon.stderr and daemon.log (a crash trace).
 */
function startFailed(code: number, stderrFile: string, logFile: string): GmsupError {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8').trimEnd();
    } catch {
      return ''; // not written yet: nothing to show from it
    }
  };
  const errText = read(stderrFile);
  const own = errText
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('gmsup start: '));
  const status = codeOfExit(code) ?? 'SPAWN_ERROR';
  if (own)
    return new GmsupError(
      status,
      `the daemon exited at start (status ${code}): ${own.slice('gmsup start: '.length)} (log: ${logFile})`,
    );
  const tails = [
    [stderrFile, errText],
    [logFile, read(logFile)],
  ].map(([f, text]) => (text ? `end of ${f}:\n${text.split('\n').slice(-15).join('\n')}` : ''));
  const detail = tails.filter(Boolean).join('\n') || 'it wrote nothing';
  return new GmsupError(status, `the daemon exited at start (status ${code}); ${detail}`);
}
