// The sqlite: store when the disk fails under it: on a full filesystem submissions get ERROR (never a
// silent success), the state shows failing, commits resume once there is space, and every acknowledged
// job survives kill -9; a read-only database is refused at start. Needs root for small tmpfs mounts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { waitFor } from '../../helpers/wait-for.js';
import { admin, runServer, startStoreServer, submitMany, totalJobs } from './store-harness.js';

function canMount(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (mounts a small tmpfs)';
  return false;
}

/** A tmpfs of `size` at a fresh directory, unmounted and removed when the test ends. */
function tmpfs(t: TestContext, size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-tmpfs-'));
  t.after(() => {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
  return dir;
}

/** Fills the filesystem of `dir` with a file until writes fail. */
function fillUp(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let i = 0; i < 10_000; i++) writeSync(fd, chunk);
    throw new Error('the filesystem never filled up');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

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
