// Keepalive settings: defaults, the bound, validation, and that applyKeepalive really sets SO_KEEPALIVE,
// TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT and TCP_USER_TIMEOUT on a real socket (read back from the kernel).

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';
import { test } from 'node:test';
import {
  applyKeepalive,
  DEFAULT_KEEPALIVE,
  describeKeepalive,
  keepaliveBoundMs,
  keepaliveProblem,
  keepaliveSupport,
  resolveKeepalive,
} from '../../../src/shared/tcp-keepalive.js';
import { waitFor } from '../../helpers/wait-for.js';
import { parseSsDuration, socketTimers } from '../../helpers/socket-timers.js';

test('defaults: idle 10 s, 3 probes 2 s apart, user timeout = the 16 s bound', () => {
  const s = resolveKeepalive(undefined)!;
  assert.deepEqual(s, { ...DEFAULT_KEEPALIVE });
  assert.equal(keepaliveBoundMs(s), 16_000);
  assert.equal(s.userTimeoutMs, keepaliveBoundMs(s));
  assert.equal(resolveKeepalive(false), null);
  assert.equal(resolveKeepalive(null), null);
  // A partial option keeps the other defaults; the user timeout follows the bound unless given.
  assert.deepEqual(resolveKeepalive({ idleMs: 30_000 }), {
    idleMs: 30_000,
    intervalMs: 2000,
    count: 3,
    userTimeoutMs: 36_000,
  });
  assert.equal(resolveKeepalive({ userTimeoutMs: 0 })!.userTimeoutMs, 0);
  assert.equal(
    describeKeepalive(s),
    'idle 10s, 3 probes 2s apart, user timeout 16s: a dead peer is dropped within 16s',
  );
  assert.equal(describeKeepalive(null), 'keepalive off');
});

test('problems name the key and the rule', () => {
  const base = resolveKeepalive(undefined)!;
  assert.equal(keepaliveProblem(base), null);
  assert.match(keepaliveProblem({ ...base, idleMs: 1500 })!, /^idle must be whole seconds/);
  assert.match(keepaliveProblem({ ...base, intervalMs: 0 })!, /^interval must be whole seconds/);
  assert.match(keepaliveProblem({ ...base, idleMs: 40_000_000 })!, /^idle must be whole seconds from 1s to 32767s/);
  assert.match(keepaliveProblem({ ...base, count: 0 })!, /^count must be a whole number from 1 to 127/);
  assert.match(keepaliveProblem({ ...base, count: 2.5 })!, /^count/);
  assert.match(keepaliveProblem({ ...base, userTimeoutMs: -1 })!, /^user_timeout/);
});

test('ss timer text is read as ss writes it', () => {
  assert.equal(parseSsDuration('6.968ms'), 6968);
  assert.equal(parseSsDuration('250ms'), 250);
  assert.equal(parseSsDuration('12sec'), 12_000);
  assert.equal(parseSsDuration('2min5sec'), 125_000);
  assert.equal(parseSsDuration('119min'), 7_140_000);
});

test('applyKeepalive sets every option on a real socket', async (t) => {
  const support = keepaliveSupport();
  assert.ok(support.full, `net-keepalive must load here: ${support.error}`);
  const nk = createRequire(import.meta.url)('net-keepalive') as {
    getKeepAliveInterval(s: net.Socket): number;
    getKeepAliveProbes(s: net.Socket): number;
    getUserTimeout(s: net.Socket): number;
  };
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => accepted.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const socket = net.connect(port, '127.0.0.1');
  t.after(() => {
    socket.destroy();
    for (const s of accepted) s.destroy();
    server.close();
  });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  applyKeepalive(socket, { idleMs: 7000, intervalMs: 3000, count: 4, userTimeoutMs: 19_000 });
  // The native part may load one turn later (it never delays the caller's writes).
  await waitFor(() => nk.getKeepAliveProbes(socket) === 4, { what: 'TCP_KEEPCNT' });
  assert.equal(nk.getKeepAliveInterval(socket), 3000);
  assert.equal(nk.getUserTimeout(socket), 19_000);
  // SO_KEEPALIVE + TCP_KEEPIDLE: the kernel runs a keepalive timer of at most 7 s on this socket.
  const timers = socketTimers(socket.localPort!);
  assert.equal(timers.length, 1, JSON.stringify(timers));
  assert.equal(timers[0]!.kind, 'keepalive');
  assert.ok(timers[0]!.remainingMs > 5000 && timers[0]!.remainingMs <= 7000, JSON.stringify(timers));
  assert.equal(keepaliveSupport().failures, 0);

  // null = off: no keepalive timer at all.
  const plain = net.connect(port, '127.0.0.1');
  t.after(() => plain.destroy());
  await new Promise<void>((r) => plain.once('connect', () => r()));
  applyKeepalive(plain, null);
  assert.deepEqual(
    socketTimers(plain.localPort!).map((x) => x.kind),
    [],
  );
});

test('a socket closed before the native part runs is skipped without an error', async (t) => {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const errors: string[] = [];
  socket.destroy();
  applyKeepalive(socket, resolveKeepalive(undefined), (e) => errors.push(e));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(errors, []);
});
