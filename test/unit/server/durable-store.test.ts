// DurableJobStore over a backend kept in a Map (its commits settle when the test says): group commit per
// turn, JOB_CREATED only after the commit, deletes batched, a failing store refuses background jobs with
// QUEUE_ERROR and retries, nothing acknowledged is lost. ServerState and fake peers; no database here.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { runAdminCommand } from '../../../src/server/admin-commands.js';
import type { LoadSink, OpenReport, StoreBackend, StoredJob, WriteBatch } from '../../../src/server/store/backend.js';
import { DurableJobStore, deleteRanges } from '../../../src/server/store/durable-store.js';
import { setup } from './harness.js';

/** Rows in a Map; `hold` keeps commits pending until release(); `failNext` makes commits/probes throw. */
class MapBackend implements StoreBackend {
  readonly name = 'map:test';
  readonly rows = new Map<number, StoredJob>();
  commits: WriteBatch[] = [];
  failing: string | null = null;
  hold = false;
  private held: Array<() => void> = [];
  constructor(private readonly initial: StoredJob[] = []) {}

  async open(sink: LoadSink): Promise<OpenReport> {
    for (const row of this.initial) {
      this.rows.set(row.handle, row);
      sink.job(row);
    }
    return { loaded: this.initial.length, takenOver: 0 };
  }

  commit(batch: WriteBatch): void | Promise<void> {
    const apply = () => {
      if (this.failing !== null) throw new Error(this.failing);
      this.commits.push({ inserts: [...batch.inserts], deleteRanges: [...batch.deleteRanges], lastHandle: 0 });
      for (const j of batch.inserts) {
        this.rows.set(j.id, {
          handle: j.id,
          fn: j.fn.name,
          unique: j.unique,
          priority: j.priority,
          runAtMs: j.notBeforeMs,
          reducer: j.reducer,
          payload: j.payload,
        });
      }
      for (const [lo, hi] of batch.deleteRanges) for (let h = lo; h <= hi; h++) this.rows.delete(h);
    };
    if (!this.hold) return apply();
    return new Promise<void>((resolve, reject) =>
      this.held.push(() => {
        try {
          apply();
          resolve();
        } catch (err) {
          reject(err);
        }
      }),
    );
  }

  release(): void {
    const list = this.held;
    this.held = [];
    for (const f of list) f();
  }

  probe(): void {
    if (this.failing !== null) throw new Error(this.failing);
  }

  async close(): Promise<void> {}
}

const turn = () => new Promise<void>((r) => setImmediate(r));
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await turn();
};

function durable(backend: MapBackend) {
  const lines: string[] = [];
  const ctx = setup(0, undefined, (clock) => new DurableJobStore(backend, { clock, log: (l) => lines.push(l) }));
  return { ...ctx, lines, store: ctx.state.store as DurableJobStore };
}

test('one commit per turn for all submissions of that turn; JOB_CREATED only after it', async () => {
  const backend = new MapBackend();
  const { conn } = durable(backend);
  await turn();
  const a = conn();
  const b = conn();
  backend.hold = true;
  a.send(T.SUBMIT_JOB_BG, 'f', '', 'a1');
  b.send(T.SUBMIT_JOB_HIGH_BG, 'f', '', 'b1');
  a.send(T.SUBMIT_JOB, 'f', '', 'fg'); // foreground: never stored, its reply waits behind a1's
  await turn();
  assert.deepEqual([a.peer.take(), b.peer.take()], [[], []], 'nothing acknowledged before the commit');
  backend.release();
  await ticks(5);
  assert.deepEqual(a.peer.take(), [
    [T.JOB_CREATED, 'H:t:1'],
    [T.JOB_CREATED, 'H:t:3'],
  ]);
  assert.deepEqual(b.peer.take(), [[T.JOB_CREATED, 'H:t:2']]);
  assert.equal(backend.commits.length, 1, 'one transaction for the turn');
  assert.deepEqual([...backend.rows.keys()], [1, 2], 'background rows only');
});

test('finished and cancelled jobs lose their rows; one cancelled while pending is never written', async () => {
  const backend = new MapBackend();
  const { conn, state, clock } = durable(backend);
  await turn();
  const c = conn();
  const w = conn();
  w.send(T.CAN_DO, 'f');
  for (const data of ['x', 'y', 'z', 'gone']) c.send(T.SUBMIT_JOB_BG, 'f', '', data);
  assert.equal(runAdminCommand(state, 'cancel job H:t:4'), 'OK\r\n'); // still PENDING in this turn's batch
  await ticks(5);
  assert.deepEqual([...backend.rows.keys()], [1, 2, 3]);
  w.send(T.GRAB_JOB);
  w.send(T.WORK_COMPLETE, 'H:t:1', 'ok');
  w.send(T.GRAB_JOB);
  w.send(T.WORK_FAIL, 'H:t:2');
  assert.equal(runAdminCommand(state, 'cancel job H:t:3'), 'OK\r\n');
  assert.equal(backend.rows.size, 3, 'deletes wait for the delete delay');
  clock.advance(20);
  await ticks(1);
  assert.equal(backend.rows.size, 0);
  const writes = backend.commits.map((b) => [b.inserts.map((j) => j.id), b.deleteRanges]);
  assert.deepEqual(writes, [
    [[1, 2, 3], []],
    [[], [[1, 3]]],
  ]);
});

test('a failing store: ERROR for what was not committed, refusal while failing, retry, then writes again', async () => {
  const backend = new MapBackend();
  const { conn, state, clock, lines, store } = durable(backend);
  await turn();
  const c = conn();
  const w = conn();
  w.send(T.CAN_DO, 'f');
  c.send(T.SUBMIT_JOB_BG, 'f', 'u1', 'kept');
  await ticks(5);
  w.send(T.GRAB_JOB);
  w.send(T.WORK_COMPLETE, 'H:t:1', '');
  backend.failing = 'disk I/O error';
  c.send(T.SUBMIT_JOB_BG, 'f', '', 'lost?');
  await ticks(5);
  const refused = [T.ERROR, 'QUEUE_ERROR|Job store failed: the job was not stored'];
  assert.deepEqual(c.peer.take(), [[T.JOB_CREATED, 'H:t:1'], refused]);
  assert.equal(store.status().state, 'failing');
  assert.equal(store.status().error, 'disk I/O error');
  c.send(T.SUBMIT_JOB_LOW_BG, 'f', '', 'refused at once');
  c.send(T.SUBMIT_JOB, 'f', '', 'foreground still works');
  assert.deepEqual(c.peer.take(), [refused, [T.JOB_CREATED, 'H:t:3']]);
  assert.match(runAdminCommand(state, 'store') ?? '', /^store\tmap:test\nstate\tfailing\n/);
  assert.equal(runAdminCommand(state, 'status'), 'f\t1\t0\t1\n.\n', 'only the foreground job is queued');
  assert.ok(backend.rows.has(1), 'the delete of job 1 is kept for the retry');
  clock.advance(100); // first retry: still failing
  await ticks(1);
  assert.equal(store.status().failedAttempts, 2);
  backend.failing = null;
  clock.advance(200);
  await ticks(5);
  assert.equal(store.status().state, 'ok');
  assert.equal(backend.rows.size, 0, 'the kept delete went through');
  c.send(T.SUBMIT_JOB_BG, 'f', '', 'back');
  await ticks(5);
  assert.deepEqual(c.peer.take(), [[T.JOB_CREATED, 'H:t:4']]);
  assert.deepEqual([...backend.rows.keys()], [4]);
  assert.ok(lines.some((l) => /commit failed: disk I\/O error/.test(l)));
  assert.ok(lines.some((l) => /writing again after/.test(l)));
});

test('loaded jobs: by priority in handle order, epochs held until due, new handles above stored ones', async () => {
  const row = (handle: number, priority: 0 | 1 | 2, runAtMs = 0, unique = ''): StoredJob => ({
    handle,
    fn: 'f',
    unique,
    priority,
    runAtMs,
    reducer: null,
    payload: Buffer.from(`p${handle}`),
  });
  const backend = new MapBackend([row(3, 2), row(7, 1), row(8, 0), row(9, 1, 2_000_000_000_000), row(11, 1, 0, 'u')]);
  const { conn, state } = durable(backend);
  await turn();
  assert.equal(runAdminCommand(state, 'prioritystatus'), 'f\t1\t3\t1\t0\n.\n');
  const w = conn();
  w.send(T.CAN_DO, 'f');
  for (let i = 0; i < 5; i++) w.send(T.GRAB_JOB);
  const got = w.peer.take().map(([, args]) => args.split('|')[0]);
  assert.deepEqual(got, ['H:t:8', 'H:t:7', 'H:t:11', 'H:t:3', '']);
  const c = conn();
  c.send(T.SUBMIT_JOB_BG, 'f', 'u', 'coalesces onto the stored job');
  c.send(T.SUBMIT_JOB_BG, 'f', '', 'new');
  await ticks(5);
  assert.deepEqual(c.peer.take(), [
    [T.JOB_CREATED, 'H:t:11'],
    [T.JOB_CREATED, 'H:t:12'],
  ]);
});

test('delete ranges: sorted, merged across handles that are not live, split at live ones', () => {
  const live = new Set([5, 9]);
  const isLive = (h: number) => live.has(h);
  assert.deepEqual(deleteRanges([], isLive), []);
  assert.deepEqual(deleteRanges([3, 1, 2, 2], isLive), [[1, 3]]);
  assert.deepEqual(deleteRanges([1, 4, 6, 8, 10, 12], isLive), [
    [1, 4],
    [6, 8],
    [10, 12],
  ]);
  assert.deepEqual(deleteRanges([7], isLive), [[7, 7]]);
});
