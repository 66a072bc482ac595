// The sqlite: store for real, through `gmsup server --store` processes: a kill -9 loses nothing that was
// acknowledged; priorities, epoch run times, uniques and handles survive a restart; start-up problems
// are one line naming the store with exit code 2.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { admin, crashScenario, Peer, runServer, startStoreServer, submitMany } from './store-harness.js';

test('kill -9 with 5,000 queued and while jobs flow: every acknowledged job is there after restart', async (t) => {
  const dir = tempDir(t);
  const figures = await crashScenario(t, `sqlite:${join(dir, 'jobs.db')}`, (l) => t.diagnostic(l));
  assert.equal(figures.lost, 0);
  assert.ok(figures.acked > 5000, `${figures.acked} acknowledged: some while jobs flowed`);
});

test('a restart keeps priority order, epoch run times, uniques (coalescing) and handles', async (t) => {
  const dir = tempDir(t);
  const store = `sqlite:${join(dir, 'jobs.db')}?sync=normal`;
  let server = await startStoreServer(t, store);
  const c = await Peer.open(server.port);
  const dueSec = Math.floor(Date.now() / 1000) + 3600;
  c.send(T.SUBMIT_JOB_LOW_BG, 'p', '', 'low');
  c.send(T.SUBMIT_JOB_BG, 'p', 'u1', 'normal-unique');
  c.send(T.SUBMIT_JOB_HIGH_BG, 'p', '', 'high');
  c.send(T.SUBMIT_JOB_EPOCH, 'p', '', String(dueSec), 'later');
  c.send(T.SUBMIT_JOB_BG, 'p', '', Buffer.from([0, 1, 255]));
  c.send(T.SUBMIT_JOB, 'p', '', 'foreground: not stored');
  const handles: string[] = [];
  for (let i = 0; i < 6; i++) handles.push((await c.next())!.args[0]!.toString());
  c.close();
  await server.kill9();
  server = await startStoreServer(t, store);
  assert.equal(await admin(server.port, 'prioritystatus'), 'p\t1\t3\t1\t0\n.\n');
  const shown = (await admin(server.port, 'show jobs')).split('\n').map((l) => l.split('\t')[0]);
  assert.deepEqual(shown.slice(0, 5).sort(), handles.slice(0, 5).sort(), 'the same handles');
  const again = await Peer.open(server.port);
  again.send(T.SUBMIT_JOB_BG, 'p', 'u1', 'normal-unique');
  assert.equal((await again.next())!.args[0]!.toString(), handles[1], 'the unique still coalesces');
  again.send(T.SUBMIT_JOB_BG, 'p', '', 'new');
  const fresh = Number((await again.next())!.args[0]!.toString().split(':').pop());
  assert.ok(fresh > 5, `a new handle (${fresh}) above every stored one`);
  again.close();
  const w = await Peer.open(server.port);
  w.send(T.CAN_DO, 'p');
  const got: string[] = [];
  for (let i = 0; i < 5; i++) {
    w.send(T.GRAB_JOB);
    const p = (await w.next())!;
    if (p.type !== T.JOB_ASSIGN) break;
    got.push(p.args[2]!.toString('latin1'));
  }
  w.close();
  assert.deepEqual(got, ['high', 'normal-unique', '\u0000\u0001\u00ff', 'new', 'low'], 'the epoch job waits');
  const status = await admin(server.port, 'store');
  assert.match(status, /^store\tsqlite:.*jobs\.db\?sync=normal\nstate\tok\n/);
  assert.match(status, /\nloaded_jobs\t5\n/);
  await server.stop();
});

test('start-up problems: one line naming the store, exit code 2', async (t) => {
  const dir = tempDir(t);
  const notDb = join(dir, 'not-a-db');
  writeFileSync(notDb, 'hello, I am a text file\n'.repeat(100));
  const held = await startStoreServer(t, `sqlite:${join(dir, 'held.db')}`);
  const cases: Array<[string, RegExp]> = [
    [`sqlite:${join(dir, 'missing', 'x.db')}`, /directory .*missing does not exist/],
    [`sqlite:${notDb}`, /the file is not a SQLite database/],
    [`sqlite:${dir}`, /is a directory/],
    [`sqlite:${join(dir, 'held.db')}`, /locked by another process/],
  ];
  for (const [store, why] of cases) {
    const run = runServer(t, ['--listen', '127.0.0.1:0', '--store', store]);
    assert.equal(await run.exit, 2, store);
    const lines = run.err().trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${run.err()}`);
    assert.match(lines[0]!, /^gmsup server: job store sqlite:\//);
    assert.match(lines[0]!, why);
  }
  const bad = runServer(t, ['--listen', '127.0.0.1:0', '--store', 'sqlite:x.db?sync=maybe']);
  assert.equal(await bad.exit, 64);
  assert.match(bad.err(), /sync must be full or normal/);
  const r = await submitMany(held.port, 'f', ['still serving']);
  assert.equal(r.acked.size, 1);
  await held.stop();
});
