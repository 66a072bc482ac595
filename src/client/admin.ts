// The text admin protocol as a client: one short-lived connection per command. List replies
// (status, workers, prioritystatus, show ...) end at a "." line; every other reply is one line
// (OK ... or ERR ...).

import { GearmanConnection } from '../transport/gearman-connection.js';
import {
  parseStatus,
  parseWorkers,
  parsePriorityStatus,
  type FunctionStatus,
  type FunctionPriorityStatus,
  type WorkerLine,
} from '../protocol/admin-text.js';
import { GmsupError } from '../shared/errors.js';
import { parseHostPort } from '../shared/host-port.js';

export interface AdminOptions {
  connectTimeoutMs?: number;
  /** Deadline for the whole reply. */
  replyTimeoutMs?: number;
}

const LIST_COMMANDS = new Set(['status', 'workers', 'prioritystatus', 'show', 'store']);

/** True when the reply to `line` is a list ending in ".". */
export function isListCommand(line: string): boolean {
  const word = line.trim().split(/ +/)[0]?.toLowerCase() ?? '';
  return LIST_COMMANDS.has(word);
}

/**
 * Sends one admin line and returns the raw reply: the lines joined with "\n", each ending in "\n",
 * including the "." terminator of a list. An ERR reply is returned as text, not thrown.
 */
export async function adminCommand(server: string, line: string, options: AdminOptions = {}): Promise<string> {
  if (/[\r\n]/.test(line)) throw new GmsupError('USAGE', 'an admin command is a single line');
  const conn = await GearmanConnection.connect(parseHostPort(server), { connectTimeoutMs: options.connectTimeoutMs });
  const list = isListCommand(line);
  const timeoutMs = options.replyTimeoutMs ?? 10_000;
  try {
    return await new Promise<string>((resolve, reject) => {
      const lines: string[] = [];
      const timer = setTimeout(
        () => reject(new GmsupError('TIMEOUT', `${conn.address} did not answer "${line}" within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (err: Error | undefined) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(lines.map((l) => `${l}\n`).join(''));
      };
      conn.on('text', (text) => {
        lines.push(text);
        // A list ends at "."; a list command can still get a one-line ERR (e.g. "show foo").
        if (!list || text === '.' || (lines.length === 1 && text.startsWith('ERR '))) done(undefined);
      });
      conn.on('packet', () =>
        done(new GmsupError('PROTOCOL', `${conn.address} answered an admin command with a binary packet`)),
      );
      conn.on('close', (err) =>
        done(
          new GmsupError(
            'SERVER_ERROR',
            `${conn.address} closed the connection before answering "${line}"${err ? `: ${err.message}` : ''}`,
          ),
        ),
      );
      conn.sendText(line);
    });
  } finally {
    conn.destroy();
  }
}

function throwIfErr(server: string, reply: string): string {
  if (reply.startsWith('ERR ')) throw new GmsupError('SERVER_ERROR', `${server}: ${reply.trim()}`);
  return reply;
}

export async function adminStatus(server: string, options?: AdminOptions): Promise<FunctionStatus[]> {
  return parseStatus(throwIfErr(server, await adminCommand(server, 'status', options)));
}

export async function adminPriorityStatus(server: string, options?: AdminOptions): Promise<FunctionPriorityStatus[]> {
  return parsePriorityStatus(throwIfErr(server, await adminCommand(server, 'prioritystatus', options)));
}

export async function adminWorkers(server: string, options?: AdminOptions): Promise<WorkerLine[]> {
  return parseWorkers(throwIfErr(server, await adminCommand(server, 'workers', options)));
}

/** The value of a one-line "OK value" reply (version, getpid, verbose). */
export async function adminValue(server: string, command: string, options?: AdminOptions): Promise<string> {
  const reply = throwIfErr(server, await adminCommand(server, command, options)).trim();
  if (!reply.startsWith('OK'))
    throw new GmsupError('PROTOCOL', `${server}: unexpected reply to ${command}: ${JSON.stringify(reply)}`);
  return reply.slice(2).trim();
}

/** Convenience wrapper bound to one server. */
export class AdminClient {
  constructor(
    readonly server: string,
    private readonly options: AdminOptions = {},
  ) {}
  command(line: string): Promise<string> {
    return adminCommand(this.server, line, this.options);
  }
  status(): Promise<FunctionStatus[]> {
    return adminStatus(this.server, this.options);
  }
  priorityStatus(): Promise<FunctionPriorityStatus[]> {
    return adminPriorityStatus(this.server, this.options);
  }
  workers(): Promise<WorkerLine[]> {
    return adminWorkers(this.server, this.options);
  }
  version(): Promise<string> {
    return adminValue(this.server, 'version', this.options);
  }
}
