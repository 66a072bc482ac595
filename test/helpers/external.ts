// Finds the real third-party programs the interop tests drive (gearmand, gearman, gearadmin, php with
// the gearman extension, Perl Gearman), and says once how to install what is missing.

import { spawnSync } from 'node:child_process';

const cache = new Map<string, boolean>();

function check(key: string, probe: () => boolean): boolean {
  let v = cache.get(key);
  if (v === undefined) {
    try {
      v = probe();
    } catch {
      v = false;
    }
    cache.set(key, v);
  }
  return v;
}

const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;

export const has = {
  gearmand: () => check('gearmand', () => ok('gearmand', ['--version'])),
  gearmanCli: () => check('gearman', () => ok('sh', ['-c', 'command -v gearman'])),
  gearadmin: () => check('gearadmin', () => ok('sh', ['-c', 'command -v gearadmin'])),
  phpGearman: () => check('php', () => ok('php', ['-r', 'exit(extension_loaded("gearman") ? 0 : 1);'])),
  phpCurl: () => check('php-curl', () => ok('php', ['-r', 'exit(extension_loaded("curl") ? 0 : 1);'])),
  perlGearman: () => check('perl', () => ok('perl', ['-MGearman::Client', '-MGearman::Worker', '-e', '1'])),
  tmux: () => check('tmux', () => ok('sh', ['-c', 'command -v tmux'])),
};

export const INSTALL_HINT =
  'apt-get update && apt-get install -y ' +
  'gearman-job-server gearman-tools php-cli php-gearman libgearman-client-perl tmux';

/** For `test(..., { skip: skipUnless(...) })`: false when available, else a one-line reason. */
export function skipUnless(...names: Array<keyof typeof has>): string | false {
  const missing = names.filter((n) => !has[n]());
  if (missing.length === 0) return false;
  return `needs ${missing.join(', ')}; install with: ${INSTALL_HINT}`;
}
