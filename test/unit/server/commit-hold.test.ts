// The ack-after-commit flow through the JobStore interface, with a store whose commits the test settles
// by hand: JOB_CREATED waits for its commit, later replies on that connection wait behind it, a pending
// job is not runnable, and a failed commit answers ERROR and forgets the job (its unique is free again).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { runAdminCommand } from '../../../src/server/admin-commands.js';
import { MemoryJobStore, type NewJob, type StoreEvents } from '../../../src/server/job-store.js';
import { Commit, JOB_PENDING, type Job } from '../../../src/server/model.js';
import { setup } from './harness.js';

/** Background jobs stay PENDING until settle(); one open batch at a time. */
class ManualCommitStore extends MemoryJobStore {
  private events: StoreEvents | null = null;
  private batch: { commit: Commit; jobs: Job[] } | null = null;
  private readonly commits = new Map<Job, Commit>();

  override async open(events: StoreEvents): Promise<void> {
    this.events = events;
  }

  override create(spec: NewJob): Job {
    if (!spec.background) return super.create(spec);
    const job = this.build(spec, this.nextId(), JOB_PENDING);
    this.batch ??= { commit: new Commit(), jobs: [] };
    this.batch.jobs.push(job);
    this.commits.set(job, this.batch.commit);
    return job;
  }

  override commitOf(job: Job): Commit | null {
    return this.commits.get(job) ?? null;
  }

  settle(ok: boolean): void {
    const batch = this.batch;
    assert.ok(batch && this.events);
    this.batch = null;
    for (const job of batch.jobs) this.commits.delete(job);
    const live = batch.jobs.filter((j) => j.state === JOB_PENDING);
    if (ok) {
      for (const job of live) this.admitCommitted(job);
      this.events.committed(live);
    } else {
      this.events.notCommitted(live);
    }
    batch.commit.settle(ok);
  }
}

test('JOB_CREATED waits for the commit; later replies on the connection wait behind it', () => {
  const store = new ManualCommitStore();
  const { state, conn } = setup(0, store);
  const client = conn();
  const other = conn();
  const w = conn();
  w.send(T.CAN_DO, 'f');
  w.send(T.PRE_SLEEP);
  client.send(T.SUBMIT_JOB_BG, 'f', 'u1', 'a');
  client.send(T.ECHO_REQ, 'ping');
  client.send(T.SUBMIT_JOB, 'f', '', 'fg'); // foreground: not stored, but its reply keeps its place
  other.send(T.ECHO_REQ, 'free');
  assert.deepEqual(client.peer.take(), [], 'nothing overtakes the held JOB_CREATED');
  assert.deepEqual(other.peer.take(), [[T.ECHO_RES, 'free']], 'other connections are not held');
  assert.equal(runAdminCommand(state, 'status'), 'f\t2\t0\t1\n.\n', 'a pending job counts as queued');
  w.send(T.GRAB_JOB_UNIQ);
  assert.deepEqual(
    w.peer.take(),
    [
      [T.NOOP, ''],
      [T.JOB_ASSIGN_UNIQ, 'H:t:2|f||fg'],
    ],
    'only the stored-free one',
  );
  store.settle(true);
  assert.deepEqual(client.peer.take(), [
    [T.JOB_CREATED, 'H:t:1'],
    [T.ECHO_RES, 'ping'],
    [T.JOB_CREATED, 'H:t:2'],
  ]);
  w.send(T.GRAB_JOB_UNIQ);
  assert.deepEqual(w.peer.take(), [[T.JOB_ASSIGN_UNIQ, 'H:t:1|f|u1|a']]);
});

test('a coalesced submission waits for the same commit; a failed commit answers ERROR and forgets the job', () => {
  const store = new ManualCommitStore();
  const { state, conn } = setup(0, store);
  const a = conn();
  const b = conn();
  a.send(T.SUBMIT_JOB_BG, 'f', 'same', 'x');
  b.send(T.SUBMIT_JOB, 'f', 'same', 'x'); // foreground, attaches to the pending background job
  b.send(T.ECHO_REQ, 'after');
  assert.deepEqual([a.peer.take(), b.peer.take()], [[], []]);
  store.settle(false);
  const error = [T.ERROR, 'QUEUE_ERROR|Job store failed: the job was not stored'];
  assert.deepEqual(a.peer.take(), [error]);
  assert.deepEqual(b.peer.take(), [error, [T.ECHO_RES, 'after']]);
  assert.equal(runAdminCommand(state, 'status'), 'f\t0\t0\t0\n.\n');
  assert.equal(b.c.attached.size, 0, 'the client is detached from the job that was not stored');
  a.send(T.SUBMIT_JOB_BG, 'f', 'same', 'x');
  store.settle(true);
  assert.deepEqual(a.peer.take(), [[T.JOB_CREATED, 'H:t:2']], 'the unique is free again, with a new handle');
});

test('a pending job cancelled before its commit settles is gone; its JOB_CREATED still answers the submit', () => {
  const store = new ManualCommitStore();
  const { state, conn } = setup(0, store);
  const a = conn();
  a.send(T.SUBMIT_JOB_EPOCH, 'e', '', String(Math.floor(Date.now() / 1000) + 3600), 'later');
  assert.equal(runAdminCommand(state, 'cancel job H:t:1'), 'OK\r\n');
  store.settle(true);
  assert.deepEqual(a.peer.take(), [[T.JOB_CREATED, 'H:t:1']]);
  assert.equal(runAdminCommand(state, 'show jobs'), '.\n');
});
