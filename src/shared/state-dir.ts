// Where a daemon keeps its control socket, pid file and logs (its state directory), and which workers
// file a command means. One rule, used by the daemon when it starts and by every CLI command that looks
// for it: GMSUP_STATE_DIR, else the file's `state_dir:` (relative to the file), else
// `<config dir>/.gmsup/<config name>`.

import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { readStateDirSetting } from './state-dir-setting.js';

export const DEFAULT_CONFIG_FILE = 'workers.yaml';
/** The workers file when a command names none. */
export const CONFIG_ENV = 'GMSUP_CONFIG';
/** Moves the state directory (over `state_dir:` in the file): for read-only config mounts. */
export const STATE_DIR_ENV = 'GMSUP_STATE_DIR';

/** The file given, else $GMSUP_CONFIG, else ./workers.yaml; absolute. */
export function resolveConfigFile(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(file ?? (env[CONFIG_ENV] || DEFAULT_CONFIG_FILE));
}

/** `<config dir>/.gmsup/<config name without extension>` */
export function defaultStateDir(configFile: string): string {
  const abs = resolve(configFile);
  return join(dirname(abs), '.gmsup', basename(abs, extname(abs)));
}

/**
 * The state directory rule. `setting` is the file's `state_dir` text (relative to the file's directory);
 * `envDir` is $GMSUP_STATE_DIR (relative to the current directory). Absolute result.
 */
export function chooseStateDir(configFile: string, setting: string | undefined, envDir: string | undefined): string {
  if (envDir) return resolve(envDir);
  if (setting !== undefined) return resolve(dirname(resolve(configFile)), setting);
  return defaultStateDir(configFile);
}

/**
 * The state directory of the daemon for `configFile`, as the daemon chose it: reads the file's
 * `state_dir` leniently (an invalid file still finds its daemon) and $GMSUP_STATE_DIR.
 */
export function stateDirFor(configFile: string, env: NodeJS.ProcessEnv = process.env): string {
  return chooseStateDir(configFile, readStateDirSetting(configFile), env[STATE_DIR_ENV]);
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
