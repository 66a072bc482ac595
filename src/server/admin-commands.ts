// The text admin protocol of the embedded server: one command line in, the exact reply text out, with
// gearmand 1.1.20's output formats and error strings (protocol reference §4). `shutdown` is an extension.
// Names peers chose are escaped (escapeAdminField) where gearmand prints them raw or cuts them at a NUL.

import { escapeAdminField as esc, formatStoreStatus, splitAdminLine } from '../protocol/admin-text.js';
import { SERVER_VERSION } from '../shared/version.js';
import type { AdminContext } from './context.js';
import { type FunctionEntry, isLive } from './model.js';

const OK = 'OK\r\n';
/** The words of a command line: at least one (splitAdminLine never returns an empty list). */
type AdminWords = [string, ...string[]];
const unknownCommand = (word: string) => `ERR UNKNOWN_COMMAND Unknown+server+command${word}\r\n`;
const incomplete = (word: string) =>
  `ERR INVALID_ARGUMENTS An+incomplete+set+of+arguments+was+sent+to+this+command+${word}\r\n`;

/** Reply text for one admin line, or null when the connection must be closed without a reply. */
export function runAdminCommand(ctx: AdminContext, line: string): string | null {
  const words = splitAdminLine(line);
  if (words === null) return null; // 6+ words: gearmand closes the connection
  const cmd = words[0].toLowerCase();
  switch (cmd) {
    case 'status':
      return statusText(ctx);
    case 'prioritystatus':
      return priorityStatusText(ctx);
    case 'workers':
      return workersText(ctx);
    case 'version':
      return `OK ${SERVER_VERSION}\n`;
    case 'getpid':
      return `OK ${process.pid}\n`;
    case 'verbose':
      return `OK ${ctx.verboseLevel ?? 'ERROR'}\n`;
    case 'show':
      return show(ctx, words);
    case 'cancel':
      return cancel(ctx, words);
    case 'create':
      if (words[2] === undefined || words[1]?.toLowerCase() !== 'function') return incomplete(words[0]);
      ctx.store.ensureFunction(words[2]);
      return OK;
    case 'drop':
      return drop(ctx, words);
    case 'maxqueue':
      return maxQueue(ctx, words);
    case 'store':
      // Extension: the job store's state (gearmand 1.1.20 answers ERR UNKNOWN_COMMAND).
      return formatStoreStatus(ctx.store.status());
    case 'shutdown':
      // Extension (gearmand 1.1.20 does not know it): reply first, then close down.
      queueMicrotask(() => ctx.shutdown(words[1]?.toLowerCase() === 'graceful'));
      return OK;
    default:
      return unknownCommand(words[0]);
  }
}

function statusText(ctx: AdminContext): string {
  let out = '';
  for (const fn of ctx.store.functions()) out += `${esc(fn.name)}\t${fn.total}\t${fn.running}\t${fn.workers.size}\n`;
  return `${out}.\n`;
}

function priorityStatusText(ctx: AdminContext): string {
  let out = '';
  for (const fn of ctx.store.functions()) {
    out += `${esc(fn.name)}\t${fn.queuedAt(0)}\t${fn.queuedAt(1)}\t${fn.queuedAt(2)}\t${fn.workers.size}\n`;
  }
  return `${out}.\n`;
}

function workersText(ctx: AdminContext): string {
  let out = '';
  for (const c of ctx.connections) {
    let line = `${c.fd} ${c.ip} ${esc(c.clientId)} :`;
    for (let i = c.abilities.length - 1; i >= 0; i--) line += ` ${esc(c.abilities[i]!.fn.name, true)}`;
    out += `${line}\n`;
  }
  return `${out}.\n`;
}

function show(ctx: AdminContext, words: AdminWords): string {
  if (words.length < 2) return unknownCommand(words[0]);
  const what = words
    .slice(1)
    .map((w) => w.toLowerCase())
    .join(' ');
  let out = '';
  if (what === 'jobs') {
    for (const job of ctx.store.jobs()) {
      // IGNORED is always 0: gmsup drops abandoned and cancelled jobs at once.
      out += `${ctx.codec.format(job.id)}\t${job.retries}\t0\t${job.background ? 1 : 0}\n`;
    }
    return `${out}.\n`;
  }
  if (what === 'unique jobs') {
    for (const job of ctx.store.jobs()) out += `${esc(job.unique)}\n`;
    return `${out}.\n`;
  }
  return 'ERR UNKNOWN_SHOW_ARGUMENTS\r\n';
}

function cancel(ctx: AdminContext, words: AdminWords): string {
  if (words.length < 3) return unknownCommand(words[0]);
  if (words.length !== 3 || words[1]?.toLowerCase() !== 'job') return 'ERR UNKNOWN_ERROR\r\n';
  const id = ctx.codec.parse(Buffer.from(words[2] ?? '', 'latin1'));
  const job = id === 0 ? undefined : ctx.store.byId(id);
  if (!isLive(job)) return 'ERR UNKNOWN_JOB\r\n';
  // Unlike gearmand, the job leaves the counts at once; a worker still running it is ignored when it
  // reports (its handle is remembered as finished on that connection).
  ctx.fail(job);
  return OK;
}

function findFunction(ctx: AdminContext, name: string): FunctionEntry | undefined {
  const exact = ctx.store.getFunction(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const fn of ctx.store.functions()) if (fn.name.toLowerCase() === lower) return fn;
  return undefined;
}

function drop(ctx: AdminContext, words: AdminWords): string {
  if (words[2] === undefined || words[1]?.toLowerCase() !== 'function') return incomplete(words[0]);
  const fn = findFunction(ctx, words[2]);
  if (!fn) return 'ERR function not found\r\n';
  if (fn.workers.size > 0 || fn.running > 0) return 'ERR there are still connected workers or executing clients\r\n';
  // gearmand orphans queued jobs here; gmsup refuses so no background work is lost.
  if (fn.queued > 0) return 'ERR there are still queued jobs\r\n';
  ctx.store.dropFunction(fn);
  return OK;
}

function limitOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function maxQueue(ctx: AdminContext, words: AdminWords): string {
  if (words[1] === undefined) return incomplete(words[0]);
  const fn = ctx.store.getFunction(words[1]);
  if (!fn) return OK; // like gearmand: accepted, no effect, nothing created
  if (words.length <= 3) {
    const n = limitOf(words[2]);
    ctx.store.setMaxQueue(fn, [n, n, n]);
  } else if (words.length === 4) {
    ctx.store.setMaxQueue(fn, [limitOf(words[2]), limitOf(words[3]), 0]);
  } else {
    ctx.store.setMaxQueue(fn, [limitOf(words[2]), limitOf(words[3]), limitOf(words[4])]);
  }
  return OK;
}
