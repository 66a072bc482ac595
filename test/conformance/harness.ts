// Conformance harness: starts a fresh target (gmsup's embedded server in-process, or a real gearmand
// 1.1.20) per check, opens raw connections, and offers byte-exact assertions shared by both targets.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startJobServer } from '../../src/server/index.js';
import { startGearmand } from '../helpers/gearmand.js';
import { RawConn, type RawPacket } from '../helpers/raw-gearman.js';
import { waitFor } from '../helpers/wait-for.js';

export type TargetKind = 'gmsup' | 'gearmand';

export interface Ctx {
  kind: TargetKind;
  /** True for gearmand: checks assert its (sometimes buggy) bytes there and the fixed bytes for gmsup. */
  gearmand: boolean;
  port: number;
  pid: number;
  open(): Promise<RawConn>;
}

export interface TargetOptions {
  /** gearmand `-j N` / gmsup jobRetries. */
  jobRetries?: number;
}

export interface Check {
  id: string;
  title: string;
  options?: TargetOptions;
  run(ctx: Ctx): Promise<void>;
}

export async function startTarget(kind: TargetKind, t: TestContext, options: TargetOptions = {}): Promise<Ctx> {
  const conns: RawConn[] = [];
  let port: number;
  let pid: number;
  if (kind === 'gmsup') {
    const server = await startJobServer({ port: 0, jobRetries: options.jobRetries });
    port = server.port;
    pid = process.pid;
    t.after(() => server.close());
  } else {
    const g = await startGearmand(options.jobRetries ? ['-j', String(options.jobRetries)] : []);
    port = g.port;
    pid = g.process.pid ?? -1;
    t.after(() => g.stop());
  }
  t.after(() => {
    for (const c of conns) c.close();
  });
  return {
    kind,
    gearmand: kind === 'gearmand',
    port,
    pid,
    open: async () => {
      const c = await RawConn.open(port);
      conns.push(c);
      return c;
    },
  };
}

export const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Asserts a RES packet of `type` with exactly `payload`. */
export function expectPacket(p: RawPacket, type: number, payload: string | Buffer): void {
  assert.equal(p.magic, 'RES', 'magic');
  assert.equal(p.type, type, `packet type (payload ${JSON.stringify(p.payload.toString('latin1'))})`);
  assert.equal(p.payload.toString('latin1'), typeof payload === 'string' ? payload : payload.toString('latin1'));
}

export async function expectNext(c: RawConn, type: number, payload: string | Buffer): Promise<void> {
  expectPacket(await c.readPacket(), type, payload);
}

export async function expectError(c: RawConn, code: string, text: string): Promise<void> {
  expectPacket(await c.readPacket(), 19, `${code}\0${text}`);
}

const HANDLE = /^H:[^\0]+:(\d+)$/;

/** Handle number of a handle string, asserting the `H:<anything>:<n>` form. */
export function handleNumber(handle: string): number {
  const m = HANDLE.exec(handle);
  assert.ok(m, `handle ${JSON.stringify(handle)} has the form H:<host>:<n>`);
  return Number(m[1]);
}

/** Reads JOB_CREATED and returns the handle. */
export async function created(c: RawConn, expectedNumber?: number): Promise<string> {
  const p = await c.readPacket();
  assert.equal(p.type, 8, `JOB_CREATED expected, got type ${p.type} ${JSON.stringify(p.payload.toString('latin1'))}`);
  const h = p.payload.toString('latin1');
  const n = handleNumber(h);
  if (expectedNumber !== undefined) assert.equal(n, expectedNumber, `handle number of ${h}`);
  return h;
}

/** Submits (type 7/18/21/...) `fn\0unique\0data` and returns the handle. */
export async function submit(
  c: RawConn,
  type: number,
  fn: string,
  unique: string,
  data: string | Buffer,
): Promise<string> {
  c.req(type, fn, unique, data);
  return created(c);
}

/** Fields of a packet payload split on NUL (for assign/status packets without NULs in data). */
export const fields = (p: RawPacket): string[] => p.payload.toString('latin1').split('\0');

/** Polls `status` until the line for `fn` equals `line` (servers process other connections' packets asynchronously). */
export async function waitStatusLine(admin: RawConn, line: string): Promise<void> {
  await waitFor(
    async () => {
      const s = await admin.list('status');
      return s.split('\n').includes(line);
    },
    { timeoutMs: 5000, what: `status line ${JSON.stringify(line)}` },
  );
}

export async function statusLines(admin: RawConn): Promise<string[]> {
  return (await admin.list('status')).split('\n').filter((l) => l !== '' && l !== '.');
}

/** Joins fields with NULs (avoids `\0` followed by a digit, an octal escape). */
export const nul = (...parts: string[]): string => parts.join('\0');

/** Number of connections the server lists in `workers` (the asking one included). */
export async function connectionCount(admin: RawConn): Promise<number> {
  return (await admin.list('workers')).split('\n').filter((l) => l !== '' && l !== '.').length;
}

/** Waits until the server has noticed closes: `workers` lists exactly `n` connections. */
export async function waitConnectionCount(admin: RawConn, n: number): Promise<void> {
  await waitFor(async () => (await connectionCount(admin)) === n, { timeoutMs: 5000, what: `${n} connections listed` });
}
