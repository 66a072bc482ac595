// The store setting: memory, sqlite:PATH (relative to a base dir), postgres:// with gmsup's own
// parameters taken out of the driver's URL; bad input named with the reason; passwords never shown.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatStore, parseStoreUrl, type StoreSpec } from '../../../src/shared/store-url.js';

const ok = (text: string, base = '/base'): StoreSpec => {
  const r = parseStoreUrl(text, base);
  if (!r.ok) throw new Error(r.message);
  return r.spec;
};
const bad = (text: string): string => {
  const r = parseStoreUrl(text, '/base');
  assert.equal(r.ok, false, text);
  return r.ok ? '' : r.message;
};

test('sqlite paths: relative to the base directory, absolute, sqlite:///abs; parameters', () => {
  assert.deepEqual(ok('memory'), { kind: 'memory' });
  assert.deepEqual(ok('sqlite:jobs.db'), {
    kind: 'sqlite',
    path: '/base/jobs.db',
    sync: 'full',
    table: 'gmsup_jobs',
    gearmandTable: 'gearman_queue',
  });
  assert.equal((ok('sqlite:../q/jobs.db') as { path: string }).path, '/q/jobs.db');
  assert.equal((ok('sqlite:/abs/j.db') as { path: string }).path, '/abs/j.db');
  assert.equal((ok('sqlite:///abs/j.db') as { path: string }).path, '/abs/j.db');
  const s = ok('sqlite:j.db?sync=normal&table=t2&gearmand_table=none');
  assert.deepEqual(s, { kind: 'sqlite', path: '/base/j.db', sync: 'normal', table: 't2', gearmandTable: null });
  assert.equal(formatStore(s), 'sqlite:/base/j.db?sync=normal&table=t2&gearmand_table=none');
  assert.equal(formatStore(ok('sqlite:j.db')), 'sqlite:/base/j.db');
});

test('postgres: gmsup parameters removed from the driver URL, the rest kept, password hidden when shown', () => {
  const s = ok('postgres://u:secret@db.example:5433/jobs?table=q1&sync=normal&sslmode=disable');
  assert.equal(s.kind, 'postgres');
  if (s.kind !== 'postgres') return;
  assert.equal(s.connectionString, 'postgres://u:secret@db.example:5433/jobs?sslmode=disable');
  assert.deepEqual([s.table, s.sync, s.gearmandTable], ['q1', 'normal', 'queue']);
  assert.equal(formatStore(s), 'postgres://u:***@db.example:5433/jobs?sslmode=disable&sync=normal&table=q1');
  assert.equal(ok('postgresql://u@h/d').kind, 'postgres');
});

test('bad settings are refused with the reason', () => {
  assert.match(bad('mysql://x'), /expected memory, sqlite:PATH or postgres:/);
  assert.match(bad('sqlite:'), /no file path/);
  assert.match(bad('sqlite://rel.db'), /sqlite:\/\/\/ABSOLUTE/);
  assert.match(bad('sqlite:x.db?sync=fast'), /sync must be full or normal/);
  assert.match(bad('sqlite:x.db?table=drop;table'), /plain SQL name/);
  assert.match(bad('sqlite:x.db?colour=red'), /unknown parameter "colour"/);
  assert.match(bad('sqlite:x.db?table=a&table=b'), /given twice/);
  assert.match(bad('sqlite:x.db?table=q&gearmand_table=q'), /must differ/);
  assert.match(bad('postgres://[bad'), /not a valid URL/);
});
