// The IPC boundary checks: well-formed messages pass through unchanged, malformed ones are refused with
// the name of the bad field (both directions, and the WorkerSpec of an init).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChildMessage, parseParentMessage, type ChildMessage } from '../../../src/worker/ipc-messages.js';
import type { WorkerSpec } from '../../../src/worker/spec.js';

const spec: WorkerSpec = {
  name: 'w',
  function: 'w',
  kind: 'command',
  command: ['wc', '-l'],
  servers: ['127.0.0.1:4730'],
  concurrency: 2,
  timeoutMs: null,
  env: { FOO: 'bar' },
  cwd: '/tmp',
  maxJobs: null,
  stopTimeoutMs: 10_000,
};

test('every worker -> daemon message type passes its check unchanged', () => {
  const job = { handle: 'H:1', function: 'w', startedAtMs: 5 };
  const end = { handle: 'H:1', function: 'w', durationMs: 3, ok: true };
  const messages: ChildMessage[] = [
    { type: 'worker:ready', functions: ['w'] },
    { type: 'worker:init-failed', error: { code: 'SPAWN_ERROR', message: 'no module' } },
    { type: 'server:state', server: 'h:1', connected: true, registered: false },
    { type: 'server:state', server: 'h:1', connected: false, registered: false, error: 'ECONNREFUSED' },
    { type: 'job:start', job },
    { type: 'job:end', ...end },
    { type: 'job:starts', jobs: [job, { ...job, handle: 'H:2' }] },
    { type: 'job:ends', ends: [end, { ...end, ok: false }] },
    { type: 'worker:draining', reason: 'stopped' },
    { type: 'worker:exiting', reason: 'max-jobs' },
  ];
  for (const m of messages) assert.deepEqual(parseChildMessage(JSON.parse(JSON.stringify(m))), m);
});

test('malformed worker -> daemon messages are refused, naming the field', () => {
  const refuse = (value: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseChildMessage(value),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'USAGE');
        assert.match(err.message, pattern);
        return true;
      },
    );
  refuse('ready', /worker message: must be an object, got the string "ready"/);
  refuse({}, /field "type" must be a string, got nothing/);
  refuse({ type: 'worker:bogus' }, /unknown type "worker:bogus"/);
  refuse({ type: 'worker:ready', functions: 'w' }, /worker:ready: field "functions" must be an array/);
  refuse({ type: 'job:end', handle: 'H:1', function: 'w', durationMs: 1 }, /job:end: field "ok" must be true or false/);
  refuse({ type: 'job:ends', ends: [{ handle: 'H', function: 'w', durationMs: 'x', ok: true }] }, /"durationMs"/);
  refuse({ type: 'job:start', job: { handle: 7 } }, /job:start job: field "handle" must be a string, got number 7/);
  refuse({ type: 'worker:exiting', reason: 'bored' }, /field "reason" must be one of max-jobs, stopped/);
  refuse({ type: 'worker:init-failed', error: null }, /field "error" must be an object, got null/);
  // An unknown error code is kept as INTERNAL rather than trusted.
  const failed = parseChildMessage({ type: 'worker:init-failed', error: { code: 'NOPE', message: 'm' } });
  assert.deepEqual(failed, { type: 'worker:init-failed', error: { code: 'INTERNAL', message: 'm' } });
});

test('daemon -> worker messages: init with its spec, stop, reregister; bad ones name the field', () => {
  const init = { type: 'worker:init', spec, clientId: 'h:w:0:1', index: 0, ipcBatchMs: 100 } as const;
  assert.deepEqual(parseParentMessage(JSON.parse(JSON.stringify(init))), init);
  assert.deepEqual(parseParentMessage({ type: 'worker:stop', reason: 'x' }), { type: 'worker:stop', reason: 'x' });
  assert.deepEqual(parseParentMessage({ type: 'worker:reregister' }), { type: 'worker:reregister' });
  const module = { ...spec, kind: 'module', command: undefined, modulePath: '/w.mjs', exceptions: true, maxJobs: 5 };
  assert.equal(parseParentMessage({ ...init, spec: module }).type, 'worker:init');
  // keepalive travels as given: settings (a subset of the fields) or false; absent stays absent.
  for (const keepalive of [{ idleMs: 7000, count: 2 }, false]) {
    const parsed = parseParentMessage({ ...init, spec: { ...spec, keepalive } });
    assert.deepEqual(parsed.type === 'worker:init' && parsed.spec.keepalive, keepalive);
  }
  assert.throws(
    () => parseParentMessage({ ...init, spec: { ...spec, keepalive: { idleMs: 'soon' } } }),
    /worker:init spec keepalive: field "idleMs" must be a number/,
  );

  assert.throws(() => parseParentMessage({ type: 'worker:stop' }), /worker:stop: field "reason" must be a string/);
  assert.throws(
    () => parseParentMessage({ ...init, spec: { ...spec, concurrency: 0 } }),
    /worker:init spec: field "concurrency" must be an integer >= 1, got number 0/,
  );
  assert.throws(
    () => parseParentMessage({ ...init, spec: { ...spec, env: { FOO: 1 } } }),
    /field "env" must be an object of strings/,
  );
  assert.throws(
    () => parseParentMessage({ ...init, spec: { ...spec, kind: 'daemon' } }),
    /field "kind" must be one of/,
  );
  assert.throws(() => parseParentMessage({ ...init, index: -1 }), /field "index" must be an integer >= 0/);
});
