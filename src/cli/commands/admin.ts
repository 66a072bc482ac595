// `gmsup admin COMMAND [ARGS] [--servers ...] [--json]`: sends a text admin command (status, workers,
// version, show jobs, cancel job H, ...) to each server and prints the raw replies, one header per server
// when several, or one JSON array. Exit 5 when a server is unreachable, 6 when one answered ERR.

import { usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { serversOf } from '../servers-option.js';
import { adminCommand, isListCommand } from '../../client/index.js';
import { listLines, parsePriorityStatus, parseStatus, parseWorkers } from '../../protocol/admin-text.js';
import { ErrorCodes, exitCodeOf, serializeError } from '../../shared/errors.js';

const PARSERS: Record<string, (reply: string) => unknown> = {
  status: parseStatus,
  workers: parseWorkers,
  prioritystatus: parsePriorityStatus,
};

/** One server's answer for --json: its lines, and the parsed list for status/workers/prioritystatus. */
function jsonEntry(server: string, line: string, r: PromiseSettledResult<string>): Record<string, unknown> {
  if (r.status === 'rejected') return { server, ok: false, error: serializeError(r.reason) };
  const reply = r.value;
  const lines = reply.split('\n').slice(0, -1);
  if (reply.startsWith('ERR ')) return { server, ok: false, error: { code: 'SERVER_ERROR', message: lines[0] } };
  const word = line.trim().split(/ +/)[0]?.toLowerCase() ?? '';
  const parse = PARSERS[word];
  const entry: Record<string, unknown> = { server, ok: true, lines: isListCommand(line) ? listLines(reply) : lines };
  if (parse && line.trim().split(/ +/).length === 1) entry.parsed = parse(reply);
  return entry;
}

export async function run(args: ParsedArgs<'admin'>): Promise<number> {
  const line = args.positionals.join(' ');
  const servers = await serversOf(args);
  const replyTimeoutMs = args.values.timeout !== undefined ? Number(args.values.timeout) : undefined;
  if (replyTimeoutMs !== undefined && !(replyTimeoutMs > 0))
    throw usageError('admin', '--timeout must be a positive number of milliseconds');
  // Ask every server at once; print in the order given.
  const replies = await Promise.allSettled(servers.map((s) => adminCommand(s, line, { replyTimeoutMs })));
  let exit = 0;
  for (const r of replies) {
    if (r.status === 'rejected') exit ||= exitCodeOf(r.reason);
    else if (r.value.startsWith('ERR ')) exit ||= ErrorCodes.SERVER_ERROR.exit;
  }
  if (args.values.json) {
    const out = replies.map((r, i) => jsonEntry(servers[i] ?? '', line, r));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return exit;
  }
  replies.forEach((r, i) => {
    if (servers.length > 1) process.stdout.write(`${i > 0 ? '\n' : ''}== ${servers[i]} ==\n`);
    if (r.status === 'fulfilled') process.stdout.write(r.value);
    else
      process.stderr.write(
        `gmsup admin: ${servers[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}\n`,
      );
  });
  return exit;
}
