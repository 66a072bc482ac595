// Log lines: prefixed name/index/pid, kept in the ring, followed live, and rotated by size on disk.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogSink, RotatingFile } from '../../../src/supervisor/log-sink.js';
import { lineSplitter } from '../../../src/supervisor/spawner.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('rotation keeps `keep` old files and drops the oldest', (t) => {
  const dir = tempDir(t);
  const f = new RotatingFile(join(dir, 'w.log'), 100, 2);
  for (let i = 0; i < 10; i++) f.write(`${String(i).repeat(39)}\n`); // 40 bytes each: 2 per file
  f.close();
  assert.equal(readFileSync(join(dir, 'w.log'), 'utf8'), `${'8'.repeat(39)}\n${'9'.repeat(39)}\n`);
  assert.match(readFileSync(join(dir, 'w.log.1'), 'utf8'), /^6+\n7+\n$/);
  assert.match(readFileSync(join(dir, 'w.log.2'), 'utf8'), /^4+\n5+\n$/);
  assert.equal(existsSync(join(dir, 'w.log.3')), false);
});

test('sink: prefixes, ring tail per worker, followers, daemon output', async (t) => {
  const dir = tempDir(t);
  let out = '';
  const sink = new LogSink({
    fileFor: (w) => join(dir, `${w}.log`),
    maxBytes: 1 << 20,
    keep: 1,
    out: (s) => {
      out += s;
    },
    ringSize: 3,
  });
  const seen: string[] = [];
  sink.follow((l) => seen.push(l.source));
  sink.worker('rev', 1, 42, 'stdout', 'hello');
  sink.worker('rev', 1, 42, 'stderr', 'oops');
  sink.daemon('rev/1/42 RUNNING -> STOPPING', 'rev');
  sink.worker('wc', 0, 7, 'stdout', 'x');
  assert.deepEqual(
    sink.tail(undefined, 10).map((l) => l.text),
    ['oops', 'rev/1/42 RUNNING -> STOPPING', 'x'],
  );
  assert.deepEqual(
    sink.tail('rev', 10).map((l) => l.text),
    ['oops', 'rev/1/42 RUNNING -> STOPPING'],
  );
  assert.deepEqual(seen, ['rev/1/42', 'rev/1/42', 'daemon', 'wc/0/7']);
  sink.close();
  assert.match(out, /rev\/1\/42 hello\n.*rev\/1\/42 ! oops\n/);
  const file = readFileSync(join(dir, 'rev.log'), 'utf8');
  assert.match(file, /rev\/1\/42 hello/);
  assert.doesNotMatch(file, /RUNNING -> STOPPING/, 'daemon lines go to the daemon log only');
});

test('line splitter handles partial chunks, CRLF and a last line without newline', () => {
  const lines: string[] = [];
  const s = lineSplitter((l) => lines.push(l));
  s.push('ab');
  s.push('c\r\nde');
  s.push('f\ng');
  s.end();
  assert.deepEqual(lines, ['abc', 'def', 'g']);
});
