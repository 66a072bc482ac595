// Taking over gearmand 1.1.20's own queue: a real gearmand (-q libsqlite3 / -q Postgres) fills its table
// and stops; `gmsup server --store` on the same database has every queued job (priorities, uniques,
// epoch run times, binary payloads), gearmand's table is left empty, and a second start adds nothing.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { skipUnless } from '../../helpers/external.js';
import { startGearmand } from '../../helpers/gearmand.js';
import { PG_PASSWORD, skipUnlessPostgres, startPostgres } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { admin, Peer, startStoreServer } from './store-harness.js';

const DUE_SEC = Math.floor(Date.now() / 1000) + 3600;

/** Fills gearmand's queue: [type, unique, payload] per job, each acknowledged. */
async function fill(port: number): Promise<void> {
  const c = await Peer.open(port);
  const jobs: Array<[number, string, string | Buffer, string?]> = [
    [T.SUBMIT_JOB_BG, 'u-normal', 'normal'],
    [T.SUBMIT_JOB_HIGH_BG, 'u-high', 'high'],
    [T.SUBMIT_JOB_LOW_BG, 'u-low', 'low'],
    [T.SUBMIT_JOB_BG, 'u-bin', Buffer.from([0x61, 0, 0x62, 0xff])],
    [T.SUBMIT_JOB_EPOCH, 'u-epoch', 'later', String(DUE_SEC)],
    [T.SUBMIT_JOB_BG, '', 'no-unique'],
    [T.SUBMIT_JOB, 'u-fg', 'foreground (not stored by gearmand)'],
  ];
  for (const [type, unique, payload, when] of jobs) {
    if (type === T.SUBMIT_JOB_EPOCH) c.send(type, 'tk', unique, when!, payload);
    else c.send(type, 'tk', unique, payload);
    const p = await c.next();
    assert.equal(p?.type, T.JOB_CREATED, `gearmand acknowledged ${String(payload)}`);
  }
  c.close();
}

/** Grabs everything runnable with GRAB_JOB_UNIQ: `unique=payload` in hand-out order. */
async function grabAll(port: number): Promise<string[]> {
  const w = await Peer.open(port);
  w.send(T.CAN_DO, 'tk');
  const got: string[] = [];
  for (let i = 0; i < 20; i++) {
    w.send(T.GRAB_JOB_UNIQ);
    const p = (await w.next())!;
    if (p.type !== T.JOB_ASSIGN_UNIQ) break;
    got.push(`${p.args[2]!.toString('latin1')}=${p.args[3]!.toString('latin1')}`);
    w.send(T.WORK_COMPLETE, p.args[0]!, '');
  }
  w.close();
  return got;
}

async function takeOver(t: { after(fn: () => void | Promise<void>): void }, store: string, rows: () => number) {
  const server = await startStoreServer(t, store);
  assert.equal(await admin(server.port, 'prioritystatus'), 'tk\t1\t4\t1\t0\n.\n');
  assert.match(await admin(server.port, 'store'), /\ntaken_over_jobs\t6\n/);
  await server.kill9();
  assert.equal(rows(), 0, "gearmand's table is empty once taken over"); // (the sqlite file is locked while served)
  const again = await startStoreServer(t, store);
  assert.equal(await admin(again.port, 'prioritystatus'), 'tk\t1\t4\t1\t0\n.\n', 'no job twice');
  const order = await grabAll(again.port);
  assert.deepEqual(order, ['u-high=high', 'u-normal=normal', 'u-bin=a\u0000b\u00ff', '=no-unique', 'u-low=low']);
  await again.stop();
}

test('sqlite: gmsup takes over the libsqlite3 queue of a stopped gearmand', {
  skip: skipUnless('gearmand'),
}, async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'gearmand.db');
  const gearmand = await startGearmand(['-q', 'libsqlite3', '--libsqlite3-db', db]);
  t.after(() => gearmand.stop());
  await fill(gearmand.port);
  await gearmand.stop();
  const Database = (await import('better-sqlite3')).default;
  const count = () => {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (d.prepare('SELECT count(*) AS n FROM gearman_queue').get() as { n: number }).n;
    } finally {
      d.close();
    }
  };
  assert.equal(count(), 6, 'gearmand stored its 6 background jobs');
  await takeOver(t, `sqlite:${db}`, count);
});

test('postgres: gmsup takes over the Postgres queue of a stopped gearmand', {
  skip: skipUnless('gearmand') || skipUnlessPostgres(),
}, async (t) => {
  const pg = await startPostgres();
  t.after(() => pg.stop());
  pg.psql('CREATE DATABASE gm');
  const conninfo = `host=127.0.0.1 port=${pg.port} user=postgres password=${PG_PASSWORD} dbname=gm`;
  const gearmand = await startGearmand(['-q', 'Postgres', '--libpq-conninfo', conninfo]);
  t.after(() => gearmand.stop());
  await fill(gearmand.port);
  await gearmand.stop();
  const count = () => Number(pg.psql('SELECT count(*) FROM queue', 'gm').trim());
  assert.equal(count(), 6, 'gearmand stored its 6 background jobs');
  await takeOver(t, pg.url('gm'), count);
});
