// The log sink: lines in the ring per worker, followed live, daemon lines to daemon.log only, worker lines
// to their worker's file only, everything echoed (foreground stdout), all in the documented format.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LOG_DEFAULTS } from '../../../src/config/defaults.js';
import { parseLogLine } from '../../../src/control/log-format.js';
import { LogSink } from '../../../src/supervisor/log-sink.js';
import { lineAligner } from '../../../src/supervisor/spawner.js';
import { tempDir } from '../../helpers/temp-dir.js';

const parsedLines = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => parseLogLine(l));

test('sink: ring tail per worker, followers, files per destination, echo of everything', async (t) => {
  const dir = tempDir(t);
  const echoFd = openSync(join(dir, 'stdout'), 'w');
  t.after(() => closeSync(echoFd));
  const sink = new LogSink({
    settings: LOG_DEFAULTS,
    daemonFile: join(dir, 'daemon.log'),
    workerFile: (w) => join(dir, `${w}.log`),
    echoFd,
    ringSize: 3,
  });
  sink.open(['rev']);
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
  await sink.close();
  assert.deepEqual(
    parsedLines(join(dir, 'rev.log')).map((l) => `${l?.source} ${l?.stream} ${l?.text}`),
    ['rev/1/42 stdout hello', 'rev/1/42 stderr oops'],
    'daemon lines go to daemon.log only',
  );
  assert.deepEqual(
    parsedLines(join(dir, 'daemon.log')).map((l) => `${l?.worker} ${l?.text}`),
    ['rev rev/1/42 RUNNING -> STOPPING'],
  );
  assert.deepEqual(
    parsedLines(join(dir, 'stdout')).map((l) => l?.text),
    ['hello', 'oops', 'rev/1/42 RUNNING -> STOPPING', 'x'],
  );
});

test('json format, and a settings change (reload) applies to the next lines', async (t) => {
  const dir = tempDir(t);
  const sink = new LogSink({ settings: LOG_DEFAULTS, daemonFile: null, workerFile: (w) => join(dir, `${w}.log`) });
  sink.worker('w', 0, 1, 'stdout', 'as text');
  await sink.flush();
  sink.configure({ ...LOG_DEFAULTS, format: 'json' });
  sink.worker('w', 0, 1, 'stdout', 'as json');
  await sink.close();
  const raw = readFileSync(join(dir, 'w.log'), 'utf8').trimEnd().split('\n');
  assert.match(raw[0] ?? '', /^\S+Z w\/0\/1 out as text$/);
  assert.deepEqual(JSON.parse(raw[1] ?? ''), {
    atMs: parseLogLine(raw[1] ?? '')?.atMs,
    source: 'w/0/1',
    worker: 'w',
    stream: 'stdout',
    text: 'as json',
  });
});

test('drops are marked in the file and reported once in daemon.log, rate limited', async (t) => {
  const dir = tempDir(t);
  const settings = { ...LOG_DEFAULTS, bufferBytes: 64 * 1024 };
  const sink = new LogSink({ settings, daemonFile: join(dir, 'daemon.log'), workerFile: (w) => join(dir, `${w}.log`) });
  for (let i = 0; i < 5000; i++) sink.worker('w', 0, 1, 'stdout', `line ${i} ${'x'.repeat(80)}`);
  await sink.flush();
  for (let i = 0; i < 5000; i++) sink.worker('w', 0, 1, 'stdout', `line ${i} ${'x'.repeat(80)}`);
  await sink.close();
  const gaps = parsedLines(join(dir, 'w.log')).filter((l) => l?.stream === 'daemon');
  assert.equal(gaps.length, 2, 'one marker per gap');
  for (const g of gaps) assert.match(g?.text ?? '', /^gmsup: dropped \d+ lines/);
  assert.equal(gaps[0]?.worker, 'w');
  const reports = parsedLines(join(dir, 'daemon.log')).filter((l) => /dropped/.test(l?.text ?? ''));
  assert.equal(reports.length, 1, 'the second gap within 10 s is folded into the next report');
  assert.ok(sink.droppedLines > 0);
});

test('line aligner: pieces end at a newline, partial lines wait, overlong lines and the end pass', () => {
  const pieces: string[] = [];
  const a = lineAligner((p) => pieces.push(p.toString('utf8')));
  a.push(Buffer.from('ab'));
  a.push(Buffer.from('c\r\nde'));
  a.push(Buffer.from('f\ng'));
  a.push(Buffer.from('\r\n\n'));
  a.push(Buffer.from('x'.repeat(20_000)));
  a.push(Buffer.from('tail'));
  a.end();
  assert.deepEqual(pieces, ['abc\r\n', 'def\n', 'g\r\n\n', 'x'.repeat(20_000), 'tail']);
});

test('a piece of output: CRLF, LF, empty lines, a last line without newline; bytes kept as they are', async (t) => {
  const dir = tempDir(t);
  const sink = new LogSink({ settings: LOG_DEFAULTS, daemonFile: null, workerFile: (w) => join(dir, `${w}.log`) });
  const bad = Buffer.from([0x66, 0xff, 0x6f]); // "f\xffo": not UTF-8
  sink.workerOutput('w', 2, 9, 'stderr', Buffer.concat([Buffer.from('one\r\n\ntwo\n'), bad]));
  assert.deepEqual(
    sink.tail('w', 10).map((l) => l.text),
    ['one', '', 'two', 'f\ufffdo'],
  );
  await sink.close();
  const raw = readFileSync(join(dir, 'w.log'));
  const lines = raw.toString('latin1').trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.ok(lines.every((l) => / w\/2\/9 err /.test(l)));
  assert.ok(raw.includes(Buffer.concat([Buffer.from(' err '), bad, Buffer.from('\n')])), 'the bytes as written');
});
