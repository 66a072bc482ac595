// Issue 11 defect 5 with the real daemon: a chatty worker's burst lands whole in its own rotated and
// gzipped files (none in daemon.log), daemon.log rotates by size and keeps N, SIGUSR2 reopens every log
// file after an external rename, and a detached daemon's daemon.log holds only the daemon's own lines.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ControlClient } from '../../../src/control/control-client.js';
import { parseLogLine } from '../../../src/control/log-format.js';
import type { LogLine } from '../../../src/control/protocol.js';
import { controlSocketPath, stateDirFor } from '../../../src/shared/state-dir.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, startDaemon, writeConfig } from './daemon-harness.js';
import { startDetached } from './detached.js';

/** Every entry of a log file and its rotated (plain or gzipped) siblings, oldest file first. */
function readAll(path: string): LogLine[] {
  const dir = join(path, '..');
  const base = path.slice(dir.length + 1);
  const rotated = readdirSync(dir)
    .map((f) => ({ f, n: Number(/^(?:.*)\.(\d+)(?:\.gz)?$/.exec(f)?.[1] ?? Number.NaN) }))
    .filter(({ f, n }) => f.startsWith(`${base}.`) && !f.endsWith('.tmp') && !Number.isNaN(n))
    .sort((a, b) => b.n - a.n)
    .map(({ f }) => join(dir, f));
  const lines: LogLine[] = [];
  for (const file of [...rotated, path]) {
    const raw = file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString('utf8') : readFileSync(file, 'utf8');
    for (const l of raw.split('\n')) {
      if (l === '') continue;
      const parsed = parseLogLine(l);
      assert.ok(parsed, `a line in the documented format in ${file}: ${JSON.stringify(l)}`);
      lines.push(parsed);
    }
  }
  return lines;
}

async function reloads(file: string, count: number): Promise<void> {
  const c = await ControlClient.connect(controlSocketPath(stateDirFor(file)), 2000);
  try {
    for (let i = 0; i < count; i++) await c.call('reload', {}, 10_000);
  } finally {
    c.close();
  }
}

const LINES = 20_000;

test('a burst of 20,000 lines lands whole, in order, in rotated gzipped files; none in daemon.log', async (t) => {
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
logs:
  max_size: 256KiB
  keep: 20
  compress: true
workers:
  chatty:
    module: ${fixture('chatty.mjs')}
    env: { CHATTY_LINES: ${LINES} }
`,
  );
  const state = stateDirFor(d.file);
  const workerLog = join(state, 'logs', 'chatty.log');
  const plainRotated = () => readdirSync(join(state, 'logs')).filter((f) => /\.\d+$|\.tmp$/.test(f));
  await waitFor(() => readFileSync(workerLog, 'utf8').includes('chatty done') && plainRotated().length === 0, {
    timeoutMs: 30_000,
    what: 'the last line written and every rotated file compressed',
  });
  const lines = readAll(workerLog).filter((l) => l.stream === 'stdout');
  const numbers = lines.map((l) => Number(l.text.split(' ')[1])).filter((n) => !Number.isNaN(n));
  assert.equal(numbers.length, LINES, 'every line, once');
  assert.ok(
    numbers.every((n, i) => n === i),
    'in order',
  );
  assert.ok(existsSync(`${workerLog}.1.gz`), 'rotated and compressed');
  for (const f of readdirSync(join(state, 'logs')))
    assert.ok(statSync(join(state, 'logs', f)).size <= 256 * 1024 || f.endsWith('.gz'), `${f} within max_size`);
  const daemonLines = readAll(join(state, 'daemon.log'));
  assert.ok(daemonLines.length > 0);
  assert.ok(
    daemonLines.every((l) => l.stream === 'daemon'),
    'worker lines are not repeated in daemon.log',
  );
  const echoed = d
    .output()
    .split('\n')
    .filter((l) => / chatty\/0\/\d+ out chatty \d+ /.test(l));
  assert.equal(echoed.length, LINES, 'the foreground daemon echoes every line to stdout');
});

test('daemon.log rotates by size and keeps N; SIGUSR2 reopens the log files after an external rename', async (t) => {
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
logs:
  max_size: 2KiB
  keep: 2
workers:
  chatty:
    module: ${fixture('chatty.mjs')}
    env: { CHATTY_LINES: 3 }
`,
  );
  const state = stateDirFor(d.file);
  const daemonLog = join(state, 'daemon.log');
  await reloads(d.file, 60); // each logs "reload (gmsup reload): no changes"
  // Rotation runs in the background: wait for a moment between two rotations (all three files there).
  const files = [daemonLog, `${daemonLog}.1`, `${daemonLog}.2`];
  await waitFor(() => files.every((f) => existsSync(f)), { timeoutMs: 10_000, what: 'daemon.log rotated twice' });
  assert.equal(existsSync(`${daemonLog}.3`), false, 'keep: 2');
  for (const f of files) assert.ok((statSync(f, { throwIfNoEntry: false })?.size ?? 0) <= 2048, f);

  // logrotate's way: rename, then SIGUSR2 (postrotate); the daemon must write to new files from then on.
  const workerLog = join(state, 'logs', 'chatty.log');
  await waitFor(() => readFileSync(workerLog, 'utf8').includes('chatty done'), { what: 'the first worker lines' });
  renameSync(daemonLog, `${daemonLog}.ext`);
  renameSync(workerLog, `${workerLog}.ext`);
  const daemonPid = (await d.status()).daemon.pid;
  process.kill(daemonPid, 'SIGUSR2');
  await waitFor(() => existsSync(daemonLog) && readFileSync(daemonLog, 'utf8').includes('SIGUSR2'), {
    what: 'a new daemon.log after SIGUSR2',
  });
  await reloads(d.file, 1);
  const restarted = d.cli('restart', 'chatty', d.file);
  assert.equal(restarted.status, 0, restarted.stderr);
  await waitFor(() => existsSync(workerLog) && readFileSync(workerLog, 'utf8').includes('chatty done'), {
    timeoutMs: 15_000,
    what: 'the restarted worker writing to a new chatty.log',
  });
  await waitFor(() => readFileSync(daemonLog, 'utf8').includes('no changes'), { what: 'the reload line' });
  assert.doesNotMatch(readFileSync(`${daemonLog}.ext`, 'utf8'), /SIGUSR2/, 'nothing after the rename in the old file');
  assert.equal(d.proc.exitCode, null, 'the daemon lives on');
});

test('a detached daemon writes its own lines to daemon.log and the workers lines to their files only', async (t) => {
  const dir = tempDir(t, 'gmsup-logs-');
  const file = join(dir, 'w.yaml');
  writeConfig(
    file,
    `
server:
  listen: 127.0.0.1:0
workers:
  hello:
    module: ${fixture('says-hello.mjs')}
`,
  );
  const r = startDetached(t, file);
  assert.equal(r.status, 0, r.stderr);
  const state = stateDirFor(file);
  await waitFor(() => readFileSync(join(state, 'logs', 'hello.log'), 'utf8').includes('warning from'), {
    timeoutMs: 15_000,
    what: 'the worker lines in hello.log',
  });
  assert.doesNotMatch(readFileSync(join(state, 'daemon.log'), 'utf8'), /hello from/, 'worker lines in daemon.log');
  const worker = readAll(join(state, 'logs', 'hello.log'));
  assert.deepEqual(
    worker.map((l) => `${l.stream} ${l.text.replace(/\d+/, 'PID')}`),
    ['stdout hello from PID', 'stderr warning from PID'],
  );
  await waitFor(() => readFileSync(join(state, 'daemon.log'), 'utf8').includes('STARTING -> RUNNING'), {
    what: 'the RUNNING line in daemon.log',
  });
  const daemon = readAll(join(state, 'daemon.log'));
  assert.ok(daemon.every((l) => l.stream === 'daemon'));
  assert.ok(daemon.some((l) => l.worker === 'hello' && /STARTING -> RUNNING/.test(l.text)));
  assert.equal(readFileSync(join(state, 'daemon.stderr'), 'utf8'), '', 'nothing outside the log pipeline');
});
