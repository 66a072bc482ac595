// Reads a config file and returns the validated, frozen Config, or throws GmsupError CONFIG_INVALID
// listing every problem as `file:line:col key.path: message` (also as `.issues`). The only I/O of config/.

import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { GmsupError } from '../shared/errors.js';
import { STATE_DIR_ENV } from '../shared/state-dir.js';
import { formatIssue, sortIssues, type ConfigIssue } from './issues.js';
import type { Config } from './types.js';
import { validateDocument, type ValidateResult } from './validate.js';
import type { FsPort } from './validate-worker.js';

export type { ConfigIssue } from './issues.js';

export interface LoadOptions {
  /** CPU count for `per_core` (default: os.availableParallelism()). */
  cpuCount?: number;
  /** Memory for the process limit (default: machineMemoryBytes()). */
  memoryBytes?: number;
  /** File checks (default: the real file system). */
  fs?: FsPort;
  /** The environment that may move the state directory (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A CONFIG_INVALID error that also carries the structured list. */
export class ConfigError extends GmsupError {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      'CONFIG_INVALID',
      `invalid config (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map(formatIssue).join('\n'),
    );
  }
}

export const realFs: FsPort = {
  isFile: (p) => statOrNull(p)?.isFile() ?? false,
  isDir: (p) => statOrNull(p)?.isDirectory() ?? false,
  readText: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  },
  onPath(name, pathVar) {
    for (const dir of pathVar.split(delimiter)) {
      if (dir === '') continue;
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return true;
      } catch {
        // not in this directory
      }
    }
    return false;
  },
};

function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Total memory, or the cgroup (container) limit when it is lower. */
export function machineMemoryBytes(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 && limit < totalmem() ? limit : totalmem();
}

export async function loadConfig(file: string, opts: LoadOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError([{ file, line: 0, col: 0, path: '', message: `cannot read config file: ${why}` }]);
  }
  const result = validateConfigText(text, file, opts);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

/** Validate config text as if it were the file `file` (relative paths resolve next to it). */
export function validateConfigText(text: string, file: string, opts: LoadOptions = {}): ValidateResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: true });
  const result = validateDocument(doc, lines, {
    file,
    cpuCount: opts.cpuCount ?? availableParallelism(),
    memoryBytes: opts.memoryBytes ?? machineMemoryBytes(),
    fs: opts.fs ?? realFs,
    stateDirEnv: (opts.env ?? process.env)[STATE_DIR_ENV],
  });
  return result.ok ? result : { ok: false, issues: sortIssues(result.issues) };
}
