// The sqlite: store when the disk fails under it: on a full filesystem submissions get ERROR (never a
// silent success), the state shows failing, commits resume once there is space, and every acknowledged
// job survives kill -9; a read-only database is refused at start. Needs root for small tmpfs mounts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { canMount, fillUp, tmpfs } from '../../helpers/tmpfs.js';
import { waitFor } from '../../helpers/wait-for.js';
import { admin, runServer, startStoreServer, submitMany, totalJobs } from './store-harness.js';

test('disk full: ERROR instead of JOB_CREATED, failing state, recovery, nothing acknowledged lost', {
  skip: canMount(),
}, async (t) => {
  const dir = tmpfs(t, '4m');
  const store = `sqlite:${join(dir, 'jobs.db')}?sync=normal`;
  const server = await startStoreServer(t, store);
  const before = await submitMany(
    server.port,
    'df',
    Array.from({ length: 20 }, (_, i) => `before-${i}`),
  );
  assert.equal(before.acked.size, 20);
  fillUp(join(dir, 'filler'));
  const big = 'x'.repeat(8192);
  const during = await submitMany(
    server.port,
    'df',
    Array.from({ length: 600 }, (_, i) => `${i}-${big}`),
    { window: 8 },
  );
  assert.ok(during.refused.length > 0, `some submissions refused (${during.acked.size} acknowledged first)`);
  // (The state may already read ok again if a probe found room in the WAL: the failed commits stay counted.)
  const state = await admin(server.port, 'store');
  assert.doesNotMatch(state, /\nfailed_commits\t0\n/);
  rmSync(join(dir, 'filler'));
  await waitFor(async () => /\nstate\tok\n/.test(await admin(server.port, 'store')), {
    timeoutMs: 15_000,
    what: 'the store to write again',
  });
  const after = await submitMany(server.port, 'df', ['after-1', 'after-2']);
  assert.equal(after.acked.size, 2);
  await server.kill9();
  const again = await startStoreServer(t, store);
  const expected = before.acked.size + during.acked.size + after.acked.size;
  assert.equal(await totalJobs(again.port, 'df'), expected, 'every acknowledged job, none of the refused');
  await again.stop();
});

test('a read-only database is refused at start: one line, exit code 2', { skip: canMount() }, async (t) => {
  const dir = tmpfs(t, '4m');
  const store = `sqlite:${join(dir, 'jobs.db')}`;
  const server = await startStoreServer(t, store);
  assert.equal((await submitMany(server.port, 'ro', ['kept'])).acked.size, 1);
  await server.stop();
  const r = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const run = runServer(t, ['--listen', '127.0.0.1:0', '--store', store]);
  assert.equal(await run.exit, 2);
  const lines = run.err().trim().split('\n');
  assert.equal(lines.length, 1, run.err());
  assert.match(lines[0]!, /^gmsup server: job store sqlite:.*jobs\.db: .*read-only/);
});
