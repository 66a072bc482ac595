// A small tmpfs for tests that need a disk that fills up or turns read-only (needs root to mount):
// mounted at a fresh directory, unmounted and removed when the test ends.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** For `{ skip }`: false when small tmpfs mounts are possible here. */
export function canMount(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (mounts a small tmpfs)';
  return false;
}

/** A tmpfs of `size` at a fresh directory, unmounted and removed when the test ends. */
export function tmpfs(t: TestContext, size: string): string {
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
export function fillUp(file: string): void {
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
