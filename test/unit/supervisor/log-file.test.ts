// LogFile (issue 11 defect 5): batched asynchronous writes, rotation by size keeping N (gzipped when
// asked), reopening after an external rename, a burst within the buffer kept whole, beyond it dropped,
// counted and marked; never through a symbolic link.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { GmsupError } from '../../../src/shared/errors.js';
import { LogFile, type LogFileHooks, type LogFileSettings } from '../../../src/supervisor/log-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

const MIB = 1024 * 1024;
const settings = (over: Partial<LogFileSettings> = {}): LogFileSettings => ({
  maxBytes: 0,
  keep: 5,
  compress: false,
  bufferBytes: 4 * MIB,
  ...over,
});

function hooks() {
  const problems: string[] = [];
  const h: LogFileHooks = {
    gapLine: (lines, chars) => `GAP ${lines} ${chars}\n`,
    problem: (what, err) => problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`),
  };
  return { h, problems };
}

const read = (path: string) => readFileSync(path, 'utf8');
const line40 = (i: number) => `${String(i % 10).repeat(39)}\n`; // 40 bytes

test('rotation by size on line boundaries keeps `keep` files and drops the oldest', async (t) => {
  const dir = tempDir(t);
  const { h, problems } = hooks();
  const f = LogFile.forPath(join(dir, 'w.log'), settings({ maxBytes: 100, keep: 2 }), h);
  for (let i = 0; i < 10; i++) f.write(line40(i)); // 2 lines fit in 100 bytes
  await f.close();
  assert.equal(read(join(dir, 'w.log')), line40(8) + line40(9));
  assert.equal(read(join(dir, 'w.log.1')), line40(6) + line40(7));
  assert.equal(read(join(dir, 'w.log.2')), line40(4) + line40(5));
  assert.equal(existsSync(join(dir, 'w.log.3')), false);
  assert.deepEqual(problems, []);
});

test('keep 0 starts the file over; max_size 0 never rotates', async (t) => {
  const dir = tempDir(t);
  const a = LogFile.forPath(join(dir, 'a.log'), settings({ maxBytes: 100, keep: 0 }), hooks().h);
  const b = LogFile.forPath(join(dir, 'b.log'), settings({ maxBytes: 0 }), hooks().h);
  for (let i = 0; i < 10; i++) {
    a.write(line40(i));
    b.write(line40(i));
  }
  await Promise.all([a.close(), b.close()]);
  assert.equal(read(join(dir, 'a.log')), line40(8) + line40(9));
  assert.equal(existsSync(join(dir, 'a.log.1')), false);
  assert.equal(read(join(dir, 'b.log')).length, 400);
});

test('compress: rotated files become F.N.gz (0600), complete and in order, no plain copy left', async (t) => {
  const dir = tempDir(t);
  const { h, problems } = hooks();
  const path = join(dir, 'w.log');
  const f = LogFile.forPath(path, settings({ maxBytes: 100, keep: 3, compress: true }), h);
  // One line per flush, so compression of F.1 overlaps the next rotation (which must wait for it).
  for (let i = 0; i < 8; i++) {
    f.write(line40(i));
    await f.flush();
  }
  await f.close();
  assert.deepEqual(problems, []);
  assert.equal(read(path), line40(6) + line40(7));
  const gz = (n: number) => gunzipSync(readFileSync(`${path}.${n}.gz`)).toString('utf8');
  assert.equal(gz(1), line40(4) + line40(5));
  assert.equal(gz(2), line40(2) + line40(3));
  assert.equal(gz(3), line40(0) + line40(1));
  for (const n of [1, 2, 3]) {
    assert.equal(existsSync(`${path}.${n}`), false, `plain ${n} removed`);
    assert.equal((statSync(`${path}.${n}.gz`).mode & 0o777).toString(8), '600');
  }
  assert.equal(existsSync(`${path}.1.gz.tmp`), false);
  assert.equal(existsSync(`${path}.4.gz`), false);
});

test('reopen (SIGUSR2) after an external rename: later lines go to a new file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'w.log');
  const f = LogFile.forPath(path, settings(), hooks().h);
  f.write('a\n');
  await f.flush();
  renameSync(path, `${path}.rotated`);
  f.write('b\n'); // still the old file: nothing told it yet
  await f.flush();
  f.reopen();
  f.write('c\n');
  await f.close();
  assert.equal(read(`${path}.rotated`), 'a\nb\n');
  assert.equal(read(path), 'c\n');
  assert.equal((statSync(path).mode & 0o777).toString(8), '600');
});

test('a burst within the buffer is written whole, in one write', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'w.log');
  const f = LogFile.forPath(path, settings({ bufferBytes: 4 * MIB }), hooks().h);
  const n = 30_000;
  for (let i = 0; i < n; i++) assert.equal(f.write(`line ${i} ${'x'.repeat(50)}\n`), true);
  await f.close();
  const lines = read(path).trimEnd().split('\n');
  assert.equal(lines.length, n);
  assert.ok(
    lines.every((l, i) => l.startsWith(`line ${i} `)),
    'in order, none missing',
  );
  assert.equal(f.droppedLines, 0);
  assert.equal(f.writes, 1, 'one write for the whole burst, not one per line');
});

test('beyond the buffer lines are dropped, counted, and the gap is marked where it happened', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'w.log');
  const f = LogFile.forPath(path, settings({ bufferBytes: 64 * 1024 }), hooks().h);
  const n = 10_000;
  let accepted = 0;
  for (let i = 0; i < n; i++) if (f.write(`line ${i} ${'x'.repeat(90)}\n`)) accepted++;
  assert.ok(accepted > 0 && accepted < n, `accepted ${accepted}`);
  await f.flush();
  f.write('later\n');
  await f.close();
  const lines = read(path).trimEnd().split('\n');
  const gaps = lines.filter((l) => l.startsWith('GAP '));
  assert.equal(gaps.length, 1);
  assert.equal(Number(gaps[0]!.split(' ')[1]), n - accepted);
  assert.equal(f.droppedLines, n - accepted);
  assert.equal(lines.length, accepted + 1 + 1, 'accepted lines, the marker, the later line');
  assert.equal(lines.at(-1), 'later');
});

test('a symbolic link is refused at open, and its target is not touched', (t) => {
  const dir = tempDir(t);
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious');
  symlinkSync(victim, join(dir, 'w.log'));
  const f = LogFile.forPath(join(dir, 'w.log'), settings(), hooks().h);
  assert.throws(
    () => f.open(),
    (err: unknown) => err instanceof GmsupError && err.code === 'STATE_UNSAFE' && /symbolic link/.test(err.message),
  );
  assert.equal(read(victim), 'precious');
});

test('a file that cannot be opened at its first write is reported, its lines counted as dropped', async (t) => {
  const dir = tempDir(t);
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious');
  symlinkSync(victim, join(dir, 'w.log'));
  const { h, problems } = hooks();
  const f = LogFile.forPath(join(dir, 'w.log'), settings(), h);
  f.write('a\n');
  f.write('b\n');
  await f.close();
  assert.equal(f.droppedLines, 2);
  assert.match(problems.join('\n'), /opening .*w\.log: .*symbolic link/);
  assert.equal(read(victim), 'precious');
});
