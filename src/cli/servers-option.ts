// The job servers of `submit` and `admin`: --servers, else the `servers` of the workers file named by
// -c FILE or $GMSUP_CONFIG (never a ./workers.yaml found by chance), else the default 127.0.0.1:4730.

import { GmsupError } from '../shared/errors.js';
import { DEFAULT_SERVER_ADDRESS, formatHostPort, parseHostPort, parseServerList } from '../shared/host-port.js';
import { CONFIG_ENV, resolveConfigFile } from '../shared/state-dir.js';
import { usageError } from './args.js';
import type { ParsedArgs } from './command-table.js';

export async function serversOf(args: ParsedArgs<'submit'> | ParsedArgs<'admin'>): Promise<string[]> {
  if (args.values.servers !== undefined) {
    const servers = parseServerList(args.values.servers).map(formatHostPort);
    if (servers.length === 0) throw usageError(args.command, '--servers is empty');
    return servers;
  }
  const named = args.values.config ?? (process.env[CONFIG_ENV] || undefined);
  if (named === undefined) return [DEFAULT_SERVER_ADDRESS];
  // Loaded only here: `gmsup submit` without a file stays quick to start.
  const { loadConfig } = await import('../config/load.js');
  const config = await loadConfig(resolveConfigFile(named));
  if (config.servers.length === 0) throw new GmsupError('USAGE', `${config.file} lists no job servers; use --servers`);
  if (config.servers.some((s) => parseHostPort(s).port === 0))
    throw new GmsupError('USAGE', `${config.file}: the embedded server listens on port 0 (any port); use --servers`);
  return [...config.servers];
}
