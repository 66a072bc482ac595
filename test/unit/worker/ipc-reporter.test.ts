// The IPC reporter: job:start is deferred one macrotask and dropped for jobs already ended; job ends
// go out at once, or batched as job:ends when the daemon opted in; other messages keep their order.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { makeIpcReporter } from '../../../src/worker/ipc-reporter.js';
import type { ChildMessage } from '../../../src/worker/ipc-messages.js';
import { waitFor } from '../../helpers/wait-for.js';

const start = (handle: string): ChildMessage => ({ type: 'job:start', job: { handle, function: 'f', startedAtMs: 1 } });
const end = (handle: string): ChildMessage => ({ type: 'job:end', handle, function: 'f', durationMs: 0, ok: true });

test('a job that ends in the same tick sends only job:end; a running one gets its job:start', async () => {
  const sent: ChildMessage[] = [];
  const { report } = makeIpcReporter((m) => sent.push(m));
  report(start('fast'));
  report(start('slow'));
  report(end('fast'));
  assert.deepEqual(sent, [end('fast')]);
  await tick();
  assert.deepEqual(sent, [end('fast'), start('slow')]);
  report(end('slow'));
  report({ type: 'worker:draining', reason: 'x' });
  assert.deepEqual(sent.slice(2), [end('slow'), { type: 'worker:draining', reason: 'x' }]);
});

test('other messages flush pending starts first, keeping order', () => {
  const sent: ChildMessage[] = [];
  const { report } = makeIpcReporter((m) => sent.push(m));
  report(start('a'));
  report({ type: 'server:state', server: 's', connected: false, registered: false });
  assert.deepEqual(
    sent.map((m) => m.type),
    ['job:start', 'server:state'],
  );
});

test('with batchMs: the first end goes at once, later ones in one job:ends; flush() empties it', async () => {
  const sent: ChildMessage[] = [];
  const r = makeIpcReporter((m) => sent.push(m), 30);
  r.report(end('a'));
  r.report(end('b'));
  r.report(end('c'));
  assert.deepEqual(sent, [end('a')]);
  await waitFor(() => sent.length === 2, { timeoutMs: 2000 });
  assert.deepEqual(sent[1], {
    type: 'job:ends',
    ends: ['b', 'c'].map((h) => ({ handle: h, function: 'f', durationMs: 0, ok: true })),
  });
  r.report(end('d'));
  r.flush();
  assert.deepEqual(sent.slice(2), [end('d')]);
});

test('with batchMs: the starts of one macrotask go as one job:starts', async () => {
  const sent: ChildMessage[] = [];
  const r = makeIpcReporter((m) => sent.push(m), 30);
  r.report(start('a'));
  r.report(start('b'));
  r.report(start('c'));
  r.report(end('b'));
  await tick();
  assert.deepEqual(
    sent.filter((m) => m.type !== 'job:end'),
    [
      {
        type: 'job:starts',
        jobs: [
          { handle: 'a', function: 'f', startedAtMs: 1 },
          { handle: 'c', function: 'f', startedAtMs: 1 },
        ],
      },
    ],
  );
});
