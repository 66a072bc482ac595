// The job queues and handle codec: FIFO per priority with O(1) removal anywhere, and handles parsed
// only in the exact form the server issues.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EpochHeap } from '../../../src/server/epoch-heap.js';
import type { FunctionEntry } from '../../../src/server/function-entry.js';
import { Job, type Priority } from '../../../src/server/job.js';
import { MemoryJobStore } from '../../../src/server/job-store.js';
import { HandleCodec, atoi } from '../../../src/server/wire.js';

const job = (store: MemoryJobStore, fn: FunctionEntry, priority: Priority, notBeforeMs = 0) =>
  new Job(store.nextId(), fn, '', '', Buffer.from('x'), priority, true, null, notBeforeMs);

test('queues: priority then FIFO, removal from the middle, counts', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('f');
  const jobs = ([2, 1, 0, 2, 1, 0] as Priority[]).map((p) => job(store, fn, p));
  for (const j of jobs) {
    store.add(j);
    store.enqueue(j);
  }
  store.remove(jobs[4]); // second normal job, from the middle of its queue
  assert.equal(fn.queued, 5);
  const order: number[] = [];
  for (let j = fn.takeRunnable(); j; j = fn.takeRunnable()) {
    store.markRunning(j);
    order.push(j.id);
  }
  assert.deepEqual(order, [3, 6, 2, 1, 4]);
  assert.equal(fn.running, 5);
  assert.equal(store.dropFunction(fn), false, 'a function with jobs is not dropped');
});

test('queues stay O(1): 200k jobs enqueued, removed from the middle and drained', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('big');
  const all: Job[] = [];
  for (let i = 0; i < 200_000; i++) {
    const j = job(store, fn, 1);
    store.add(j);
    store.enqueue(j);
    all.push(j);
  }
  for (let i = 1; i < all.length; i += 2) store.remove(all[i]);
  assert.equal(fn.queued, 100_000);
  let n = 0;
  for (let j = fn.takeRunnable(); j; j = fn.takeRunnable()) {
    assert.equal(j.id % 2, 1);
    store.remove(j);
    n++;
  }
  assert.equal(n, 100_000);
  assert.equal(store.size, 0);
});

test('epoch heap pops by due time, then by handle', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('e');
  const heap = new EpochHeap();
  const due = [50, 10, 30, 10, 20];
  const jobs = due.map((ms) => job(store, fn, 1, ms));
  for (const j of jobs) heap.push(j);
  const out: number[] = [];
  for (let j = heap.pop(); j; j = heap.pop()) out.push(j.id);
  assert.deepEqual(out, [2, 4, 5, 3, 1]);
});

test('handle codec: exact form only', () => {
  const codec = new HandleCodec('H:vm');
  const buf = Buffer.alloc(32);
  const end = codec.write(buf, 0, 1234);
  assert.equal(buf.subarray(0, end).toString(), 'H:vm:1234');
  assert.equal(codec.parse(Buffer.from('H:vm:1234')), 1234);
  for (const bad of ['H:vm:', 'H:vm:01', 'H:vm:1x', 'H:vX:1', 'H:vm:1234567890123456', 'h:vm:1', '']) {
    assert.equal(codec.parse(Buffer.from(bad)), 0, bad);
  }
  assert.equal(atoi(Buffer.from(' 50%')), 50);
  assert.equal(atoi(Buffer.from('-3')), -3);
  assert.equal(atoi(Buffer.from('abc')), 0);
});
