// Pure client pieces: the O(1) FIFO, submit packet types per priority, admin list detection.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fifo } from '../../../src/client/fifo.js';
import { submitPacketType } from '../../../src/client/job.js';
import { isListCommand } from '../../../src/client/admin.js';
import { PacketType } from '../../../src/protocol/packet-types.js';
import { GmsupError } from '../../../src/shared/errors.js';

test('Fifo keeps order across compaction and drains the rest', () => {
  const q = new Fifo<number>();
  for (let i = 0; i < 5000; i++) q.push(i);
  for (let i = 0; i < 3000; i++) assert.equal(q.shift(), i);
  assert.equal(q.length, 2000);
  assert.equal(q.peek(), 3000);
  q.push(5000);
  const rest = q.drain();
  assert.equal(rest.length, 2001);
  assert.equal(rest[0], 3000);
  assert.equal(rest[2000], 5000);
  assert.equal(q.shift(), undefined);
  assert.equal(q.length, 0);
});

test('submit packet type per priority and mode', () => {
  assert.equal(submitPacketType('normal', false), PacketType.SUBMIT_JOB);
  assert.equal(submitPacketType('high', false), PacketType.SUBMIT_JOB_HIGH);
  assert.equal(submitPacketType('low', false), PacketType.SUBMIT_JOB_LOW);
  assert.equal(submitPacketType('normal', true), PacketType.SUBMIT_JOB_BG);
  assert.equal(submitPacketType('high', true), PacketType.SUBMIT_JOB_HIGH_BG);
  assert.equal(submitPacketType('low', true), PacketType.SUBMIT_JOB_LOW_BG);
  assert.throws(() => submitPacketType('urgent' as 'high', false), GmsupError);
});

test('admin list commands are recognised case-insensitively', () => {
  for (const l of ['status', 'STATUS', 'workers', 'prioritystatus', 'show jobs', 'show unique jobs'])
    assert.ok(isListCommand(l), l);
  for (const l of ['version', 'getpid', 'cancel job H:x:1', 'create function f', 'maxqueue f 1', ''])
    assert.ok(!isListCommand(l), l);
});
