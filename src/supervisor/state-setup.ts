// The state directories and files of one config, made safe before a daemon uses them: directories
// created 0700 and checked (ours, not writable by others), existing files checked (no symbolic links,
// regular files only). Both `gmsup start --daemon` (before it detaches) and the daemon itself call it.

import { dirname, join } from 'node:path';
import type { Config } from '../config/types.js';
import { refuseUnsafeFiles, prepareStateDir } from '../shared/state-files.js';
import {
  controlSocketPath,
  daemonLogPath,
  daemonStderrPath,
  pidFilePath,
  defaultStateDir,
  workerLogPath,
} from '../shared/state-dir.js';

export interface StatePaths {
  controlDir: string;
  controlSocket: string;
  pidFile: string;
  daemonLog: string;
  daemonStderr: string;
  workerLog: (worker: string) => string;
}

/**
 * Creates and checks the state of `config`: STATE_UNSAFE (exit 13) when it is not safe to use, STATE_DIR
 * (exit 16) when it cannot be created or opened.
 */
export function prepareState(config: Config): StatePaths {
  const controlDir = config.stateDir;
  // `.gmsup/<name>` next to the config: `.gmsup` is gmsup's too. A `state_dir:` (or $GMSUP_STATE_DIR)
  // the user chose is theirs up to the directory itself.
  const managedFrom = controlDir === defaultStateDir(config.file) ? dirname(controlDir) : controlDir;
  prepareStateDir(join(controlDir, 'logs'), managedFrom);
  const paths: StatePaths = {
    controlDir,
    controlSocket: controlSocketPath(controlDir),
    pidFile: pidFilePath(controlDir),
    daemonLog: daemonLogPath(controlDir),
    daemonStderr: daemonStderrPath(controlDir),
    workerLog: (worker) => workerLogPath(config.stateDir, worker),
  };
  refuseUnsafeFiles([
    paths.pidFile,
    paths.daemonLog,
    paths.daemonStderr,
    ...config.programs.map((p) => paths.workerLog(p.name)),
  ]);
  return paths;
}
