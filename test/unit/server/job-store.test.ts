// The job store and handle codec: FIFO per priority with O(1) removal anywhere, job states changed only
// by the store's transitions (a wrong one throws), and handles parsed only in the form the server issues.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EpochHeap } from '../../../src/server/epoch-heap.js';
import { MemoryJobStore } from '../../../src/server/job-store.js';
import {
  type FunctionEntry,
  JOB_GONE,
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_WAITING,
  type Job,
  type Priority,
} from '../../../src/server/model.js';
import { HandleCodec, atoi } from '../../../src/server/wire.js';

const create = (store: MemoryJobStore, fn: FunctionEntry, priority: Priority, notBeforeMs = 0, uniqueKey = '') =>
  store.create({
    fn,
    unique: uniqueKey,
    uniqueKey,
    payload: Buffer.from('x'),
    priority,
    background: true,
    reducer: null,
    notBeforeMs,
  });

test('queues: priority then FIFO, removal from the middle, counts', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('f');
  const jobs = ([2, 1, 0, 2, 1, 0] as Priority[]).map((p) => create(store, fn, p));
  store.remove(jobs[4]!); // second normal job, from the middle of its queue
  assert.equal(fn.queued, 5);
  assert.deepEqual([fn.queuedAt(0), fn.queuedAt(1), fn.queuedAt(2)], [2, 1, 2]);
  const order: number[] = [];
  for (let j = store.takeRunnable(fn); j; j = store.takeRunnable(fn)) order.push(j.id);
  assert.deepEqual(order, [3, 6, 2, 1, 4]);
  assert.equal(fn.running, 5);
  assert.equal(fn.queued, 0);
  assert.equal(store.dropFunction(fn), false, 'a function with jobs is not dropped');
});

test('transitions: each from its allowed states only; a wrong one throws and changes nothing', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('t');
  const epoch = create(store, fn, 1, Date.now() + 60_000, 'e');
  const job = create(store, fn, 1, 0, 'u');
  assert.equal(epoch.state, JOB_WAITING);
  assert.equal(job.state, JOB_QUEUED);
  assert.equal(store.byUnique(fn, 'u'), job);
  assert.throws(() => store.requeue(job), /QUEUED -> QUEUED is not a transition/);
  assert.throws(() => store.release(job), /QUEUED -> QUEUED/);
  assert.equal(fn.queued, 2);
  assert.equal(store.takeRunnable(fn), job, 'the waiting epoch job is not runnable');
  assert.equal(job.state, JOB_RUNNING);
  assert.equal(store.takeRunnable(fn), null);
  store.requeue(job);
  assert.equal(job.state, JOB_QUEUED);
  assert.equal(fn.running, 0);
  store.release(epoch);
  assert.equal(store.takeRunnable(fn), job, 'FIFO: the requeued job went back ahead of the released one');
  store.remove(job);
  assert.equal(job.state, JOB_GONE);
  assert.equal(store.byUnique(fn, 'u'), undefined);
  assert.equal(store.byId(job.id), undefined);
  assert.throws(() => store.remove(job), /GONE -> GONE/);
  assert.deepEqual([fn.running, fn.queued, fn.waiting], [0, 1, 0]);
  assert.equal(store.commitOf(epoch), null, 'the memory store never makes a reply wait');
});

test('maxqueue: hasRoom per priority against queued plus running', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('m');
  store.setMaxQueue(fn, [0, 2, 1]);
  create(store, fn, 1);
  assert.equal(store.hasRoom(fn, 1), true);
  assert.equal(store.hasRoom(fn, 2), false);
  store.takeRunnable(fn);
  create(store, fn, 1);
  assert.equal(store.hasRoom(fn, 1), false, 'a running job still counts');
  assert.equal(store.hasRoom(fn, 0), true, '0 = unlimited');
});

test('queues stay O(1): 200k jobs enqueued, removed from the middle and drained', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('big');
  const all: Job[] = [];
  for (let i = 0; i < 200_000; i++) all.push(create(store, fn, 1));
  for (let i = 1; i < all.length; i += 2) store.remove(all[i]!);
  assert.equal(fn.queued, 100_000);
  let n = 0;
  for (let j = store.takeRunnable(fn); j; j = store.takeRunnable(fn)) {
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
  const jobs = due.map((ms) => create(store, fn, 1, ms));
  for (const j of jobs) heap.push(j);
  const out: number[] = [];
  for (let j = heap.pop(); j; j = heap.pop()) out.push(j.id);
  assert.deepEqual(out, [2, 4, 5, 3, 1]);
});

test('epoch heap: 2000 random pushes and pops interleaved come out sorted', () => {
  const store = new MemoryJobStore();
  const fn = store.ensureFunction('r');
  const heap = new EpochHeap();
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  const popped: Job[] = [];
  let pushed = 0;
  for (let i = 0; i < 2000; i++) {
    if (rnd() % 3 !== 0 || heap.size === 0) {
      heap.push(create(store, fn, 1, 1 + (rnd() % 100)));
      pushed++;
    } else {
      popped.push(heap.pop()!);
    }
  }
  const rest: Job[] = [];
  for (let j = heap.pop(); j; j = heap.pop()) rest.push(j);
  assert.equal(popped.length + rest.length, pushed);
  for (let i = 1; i < rest.length; i++) {
    const a = rest[i - 1]!;
    const b = rest[i]!;
    assert.ok(a.notBeforeMs < b.notBeforeMs || (a.notBeforeMs === b.notBeforeMs && a.id < b.id), `order at ${i}`);
  }
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
  assert.equal(atoi(Buffer.from('\t\n+7')), 7);
  assert.equal(atoi(Buffer.from('-3')), -3);
  assert.equal(atoi(Buffer.from('abc')), 0);
  assert.equal(atoi(Buffer.from('')), 0);
  assert.equal(atoi(Buffer.from('  ')), 0);
});
