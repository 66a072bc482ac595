// `gmsup admin COMMAND [ARGS] [--servers ...]`: sends a text admin command (status, workers, version,
// show jobs, cancel job H, ...) to each server and prints the raw replies, one header per server
// when several. Exit 5 when a server is unreachable, 6 when one answered ERR.

import { parseCommandArgs } from '../args.js';
import { adminCommand } from '../../client/index.js';
import { GmsupError, exitCodeOf } from '../../shared/errors.js';
import { DEFAULT_SERVER_ADDRESS, formatHostPort, parseServerList } from '../../shared/host-port.js';

const HELP = `Usage: gmsup admin COMMAND [ARGS...] [--servers H:P[,H:P]]
  Commands: status, workers, prioritystatus, version, getpid, verbose, show jobs, show unique jobs,
            cancel job HANDLE, create function F, drop function F, maxqueue F [N], ... (passed through)
  -s, --servers H:P[,H:P]   job servers to ask (default ${DEFAULT_SERVER_ADDRESS}), all of them, in order
  -t, --timeout MS          reply deadline per server (default 10000)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { servers: { type: 'string', short: 's' }, timeout: { type: 'string', short: 't' } },
    HELP,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new GmsupError('USAGE', `missing COMMAND\n${HELP}`);
  const line = positionals.join(' ');
  const servers = parseServerList(values.servers ?? DEFAULT_SERVER_ADDRESS).map(formatHostPort);
  const replyTimeoutMs = values.timeout !== undefined ? Number(values.timeout) : undefined;
  if (replyTimeoutMs !== undefined && !(replyTimeoutMs > 0))
    throw new GmsupError('USAGE', '--timeout must be a positive number of milliseconds');
  // Ask every server at once; print in the order given.
  const replies = await Promise.allSettled(servers.map((s) => adminCommand(s, line, { replyTimeoutMs })));
  let exit = 0;
  replies.forEach((r, i) => {
    if (servers.length > 1) process.stdout.write(`${i > 0 ? '\n' : ''}== ${servers[i]} ==\n`);
    if (r.status === 'fulfilled') {
      process.stdout.write(r.value);
      if (r.value.startsWith('ERR ')) exit ||= 6;
    } else {
      process.stderr.write(
        `gmsup admin: ${servers[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}\n`,
      );
      exit ||= exitCodeOf(r.reason);
    }
  });
  return exit;
}
