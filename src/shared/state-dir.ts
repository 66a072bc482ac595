// Where a daemon keeps its control socket, pid file and logs: a state directory next to the config
// file, so every CLI command finds the daemon from the config path alone.

import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

export const DEFAULT_CONFIG_FILE = 'workers.yaml';

export function resolveConfigFile(file: string | undefined): string {
  return resolve(file ?? DEFAULT_CONFIG_FILE);
}

/** `<config dir>/.gmsup/<config name without extension>` */
export function stateDirFor(configFile: string): string {
  const abs = resolve(configFile);
  return join(dirname(abs), '.gmsup', basename(abs, extname(abs)));
}

export function controlSocketPath(stateDir: string): string {
  return join(stateDir, 'control.sock');
}

export function pidFilePath(stateDir: string): string {
  return join(stateDir, 'daemon.pid');
}

export function daemonLogPath(stateDir: string): string {
  return join(stateDir, 'daemon.log');
}

export function workerLogPath(stateDir: string, worker: string): string {
  return join(stateDir, 'logs', `${worker}.log`);
}

/** The PID in a daemon's pid file, or null when there is none (or it is unreadable). */
export function readDaemonPid(stateDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidFilePath(stateDir), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** What a detached daemon writes outside its log pipeline (a crash trace, Node's warnings); normally empty. */
export function daemonStderrPath(stateDir: string): string {
  return join(stateDir, 'daemon.stderr');
}
