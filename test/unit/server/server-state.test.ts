// ServerState driven through fake peers and a fake clock: per-job CAN_DO_TIMEOUT timers, epoch jobs
// on a timer, abandoned jobs, cancel, maxqueue forms, and replies held for a durable store's commit
// (in request order per connection). No sockets, no sleeping.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { runAdminCommand } from '../../../src/server/admin-commands.js';
import { setup } from './harness.js';

test('CAN_DO_TIMEOUT: one timer per assigned job, cancelled when the job ends', () => {
  const { clock, state, conn } = setup();
  const client = conn();
  const w = conn();
  w.send(T.CAN_DO_TIMEOUT, 'tf', '1500');
  client.send(T.SUBMIT_JOB, 'tf', '', 'a');
  client.send(T.SUBMIT_JOB, 'tf', '', 'b');
  w.send(T.GRAB_JOB);
  w.send(T.WORK_COMPLETE, 'H:t:1', 'ra');
  assert.equal(clock.pending, 0, 'the finished job left no timer behind (gearmand keeps one per connection)');
  clock.advance(1000);
  w.send(T.GRAB_JOB);
  assert.equal(clock.pending, 1);
  clock.advance(1000); // job 2 has run 1000 ms of its 1500
  assert.equal(runAdminCommand(state, 'status'), 'tf\t1\t1\t1\n.\n');
  clock.advance(600);
  assert.equal(
    runAdminCommand(state, 'status'),
    'tf\t1\t0\t1\n.\n',
    're-queued after 1500 ms, RUNNING never underflows',
  );
  assert.deepEqual(
    w.peer.take().map(([t]) => t),
    [T.JOB_ASSIGN, T.JOB_ASSIGN],
  );
  assert.deepEqual(
    client.peer.take().map(([t]) => t),
    [T.JOB_CREATED, T.JOB_CREATED, T.WORK_COMPLETE],
  );
});

test('CAN_DO_TIMEOUT values below one second are raised to 1000 ms; 0 means none', () => {
  const { clock, state, conn } = setup();
  const client = conn();
  const w = conn();
  w.send(T.CAN_DO_TIMEOUT, 'a', '5');
  w.send(T.CAN_DO_TIMEOUT, 'b', '0');
  client.send(T.SUBMIT_JOB_BG, 'a', '', '1');
  client.send(T.SUBMIT_JOB_BG, 'b', '', '2');
  w.send(T.GRAB_JOB);
  w.send(T.GRAB_JOB);
  assert.equal(clock.pending, 1);
  clock.advance(999);
  assert.match(runAdminCommand(state, 'status')!, /^a\t1\t1\t1$/m);
  clock.advance(1);
  assert.match(runAdminCommand(state, 'status')!, /^a\t1\t0\t1$/m);
});

test('epoch jobs: counted as queued at normal priority, woken on the timer, never block lower queues', () => {
  const { clock, state, conn } = setup();
  const client = conn();
  const w = conn();
  w.send(T.CAN_DO, 'ep');
  const dueSec = Math.floor(clock.now() / 1000) + 10;
  client.send(T.SUBMIT_JOB_EPOCH, 'ep', '', String(dueSec), 'later');
  client.send(T.SUBMIT_JOB_LOW_BG, 'ep', '', 'low');
  assert.equal(runAdminCommand(state, 'prioritystatus'), 'ep\t0\t1\t1\t1\n.\n');
  w.send(T.GRAB_JOB);
  w.send(T.WORK_COMPLETE, 'H:t:2', '');
  w.send(T.PRE_SLEEP);
  assert.deepEqual(w.peer.take(), [[T.JOB_ASSIGN, 'H:t:2|ep|low']]);
  clock.advance(9_000);
  assert.deepEqual(w.peer.take(), []);
  clock.advance(1_000);
  assert.deepEqual(w.peer.take(), [[T.NOOP, '']], 'the sleeping worker is woken when the job falls due');
  w.send(T.GRAB_JOB);
  assert.deepEqual(w.peer.take(), [[T.JOB_ASSIGN, 'H:t:1|ep|later']]);
});

test('cancel job removes a waiting epoch job and a queued job from the counts at once', () => {
  const { clock, state, conn } = setup();
  const client = conn();
  client.send(T.SUBMIT_JOB_EPOCH, 'ep', '', String(Math.floor(clock.now() / 1000) + 5), 'x');
  client.send(T.SUBMIT_JOB, 'ep', '', 'y');
  assert.equal(runAdminCommand(state, 'cancel job H:t:1'), 'OK\r\n');
  assert.equal(runAdminCommand(state, 'cancel job H:t:2'), 'OK\r\n');
  assert.equal(runAdminCommand(state, 'status'), 'ep\t0\t0\t0\n.\n');
  assert.equal(runAdminCommand(state, 'show jobs'), '.\n');
  assert.deepEqual(client.peer.take(), [
    [T.JOB_CREATED, 'H:t:1'],
    [T.JOB_CREATED, 'H:t:2'],
    [T.WORK_FAIL, 'H:t:2'],
  ]);
  clock.advance(10_000); // the cancelled epoch job must not come back
  assert.equal(runAdminCommand(state, 'status'), 'ep\t0\t0\t0\n.\n');
});

test('an abandoned running foreground job is dropped, not re-queued, when its worker dies', () => {
  const { state, conn } = setup();
  const client = conn();
  const w = conn();
  w.send(T.CAN_DO, 'f');
  client.send(T.SUBMIT_JOB, 'f', 'u', 'x');
  w.send(T.GRAB_JOB);
  state.disconnect(client.c);
  assert.equal(runAdminCommand(state, 'status'), 'f\t1\t1\t1\n.\n');
  state.disconnect(w.c);
  assert.equal(runAdminCommand(state, 'status'), 'f\t0\t0\t0\n.\n');
  const again = conn();
  again.send(T.SUBMIT_JOB, 'f', 'u', 'x');
  assert.deepEqual(again.peer.take(), [[T.JOB_CREATED, 'H:t:2']], 'the unique is free again');
});

test('maxqueue forms set the per-priority limits', () => {
  const { state, conn } = setup();
  conn().send(T.CAN_DO, 'mq');
  const limits = (line: string) => {
    assert.equal(runAdminCommand(state, line), 'OK\r\n');
    return state.store.getFunction('mq')!.maxQueue;
  };
  assert.deepEqual(limits('maxqueue mq 5'), [5, 5, 5]);
  assert.deepEqual(limits('maxqueue mq 1 2'), [1, 2, 0]);
  assert.deepEqual(limits('maxqueue mq 1 2 3'), [1, 2, 3]);
  assert.deepEqual(limits('maxqueue mq -4'), [0, 0, 0]);
  assert.deepEqual(limits('maxqueue mq'), [0, 0, 0]);
  assert.equal(runAdminCommand(state, 'maxqueue nosuch 3'), 'OK\r\n');
  assert.equal(state.store.getFunction('nosuch'), undefined);
});
