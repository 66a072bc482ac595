// `keepalive:` in the workers file (server block and per worker) and `--keepalive` on the command line:
// resolved settings, `false`/`off`, and errors naming the key and its position.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKeepaliveText } from '../../../src/config/keepalive.js';
import { validateConfigText } from '../../../src/config/load.js';
import type { FsPort } from '../../../src/config/validate-worker.js';
import { GmsupError } from '../../../src/shared/errors.js';

const anyFs: FsPort = { isFile: () => true, isDir: () => true, onPath: () => true };
const validate = (text: string) => validateConfigText(text, '/srv/app/workers.yaml', { cpuCount: 2, fs: anyFs });

test('server and worker keepalive: given maps are resolved, false is off, absent stays absent', () => {
  const r = validate(`
server:
  listen: 127.0.0.1:4730
  keepalive: { idle: 20s, interval: 5s, count: 2 }
workers:
  a: { command: cat, keepalive: { idle: 30s, user_timeout: 0 } }
  b: { command: cat, keepalive: false }
  c: { command: cat }
`);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  assert.equal(r.config.server?.port, 4730);
  assert.deepEqual(r.config.server?.keepalive, { idleMs: 20_000, intervalMs: 5000, count: 2, userTimeoutMs: 30_000 });
  const spec = (name: string) => r.config.programs.find((p) => p.name === name)!.spec;
  assert.deepEqual(spec('a').keepalive, { idleMs: 30_000, intervalMs: 2000, count: 3, userTimeoutMs: 0 });
  assert.equal(spec('b').keepalive, false);
  assert.equal('keepalive' in spec('c'), false);
  const off = validate('server: { keepalive: off }\nworkers: {}\n');
  assert.ok(off.ok);
  assert.equal(off.config.server?.keepalive, null);
});

test('bad keepalive settings are reported at their key', () => {
  const r = validate(`
server:
  keepalive: { idle: 1500ms, intervl: 2s }
workers:
  a: { command: cat, keepalive: { count: many } }
  p: { process: cat, keepalive: { idle: 10s } }
  q: { command: cat, keepalive: 5 }
`);
  assert.ok(!r.ok);
  assert.deepEqual(
    r.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`),
    [
      '3:22 server.keepalive.idle: idle must be whole seconds from 1s to 32767s (TCP counts it in seconds), ' +
        'got 1500 ms',
      '3:30 server.keepalive.intervl: unknown key; did you mean interval?',
      '5:42 workers.a.keepalive.count: expected a whole number, got the string "many"',
      '6:22 workers.p.keepalive: keepalive does not apply to process workers ' +
        '(the process talks to the job server itself)',
      '7:33 workers.q.keepalive: expected a map of idle, interval, count (or false), got number 5',
    ],
  );
});

test('--keepalive text', () => {
  assert.deepEqual(parseKeepaliveText('idle=3s,interval=1s,count=2'), {
    idleMs: 3000,
    intervalMs: 1000,
    count: 2,
    userTimeoutMs: 5000,
  });
  assert.deepEqual(parseKeepaliveText('user-timeout=20s'), {
    idleMs: 10_000,
    intervalMs: 2000,
    count: 3,
    userTimeoutMs: 20_000,
  });
  assert.equal(parseKeepaliveText('off'), null);
  const usage = (text: string, re: RegExp) =>
    assert.throws(
      () => parseKeepaliveText(text),
      (e) => e instanceof GmsupError && e.code === 'USAGE' && re.test(e.message),
    );
  usage('idle=10', /--keepalive: idle must be whole seconds/);
  usage('idle', /expected off or idle=/);
  usage('speed=3', /expected off or idle=/);
  usage('count=-1', /count: expected a whole number/);
  usage('interval=soon', /--keepalive interval: bad duration "soon"/);
});
