// `gmsup logs` reads the log files of the state directory (docs/logs.md), so it works with no daemon:
// lines of every format merged by time, NAME, -n, --json, and -f following appends, a rotation (the
// path renamed away and created again) and a new worker's first file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN } from '../daemon/daemon-harness.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

test('logs merges the daemon and worker files by time, filters by NAME, tails, prints JSON', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'workers.yaml');
  writeFileSync(file, 'workers: {}\n');
  const state = join(dir, '.gmsup', 'workers');
  mkdirSync(join(state, 'logs'), { recursive: true });
  writeFileSync(
    join(state, 'daemon.log'),
    [
      `${at(0)} daemon log gmsup daemon pid 1 for ${file}: a x1, b x1`,
      `${at(2)} daemon:a log a/0/11 STARTING -> RUNNING`,
      `${at(5)} daemon:b log b/0/12 STARTING -> RUNNING`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(state, 'logs', 'a.log'), `${at(3)} a/0/11 out hello from a\n${at(4)} a/0/11 err oops\n`);
  const json = JSON.stringify({
    atMs: Date.parse(at(6)),
    source: 'b/0/12',
    worker: 'b',
    stream: 'stdout',
    text: 'b json',
  });
  writeFileSync(join(state, 'logs', 'b.log'), `${at(1)} b/0/12 out b first\n${json}\n`);
  const gmsup = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'logs', ...args], { cwd: dir, encoding: 'utf8' });

  const all = gmsup();
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual(
    all.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.slice(25)),
    [
      `daemon gmsup daemon pid 1 for ${file}: a x1, b x1`,
      'b/0/12 b first',
      'daemon:a a/0/11 STARTING -> RUNNING',
      'a/0/11 hello from a',
      'a/0/11 ! oops',
      'daemon:b b/0/12 STARTING -> RUNNING',
      'b/0/12 b json',
    ],
  );
  const a = gmsup('a');
  assert.deepEqual(
    a.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.slice(25)),
    ['daemon:a a/0/11 STARTING -> RUNNING', 'a/0/11 hello from a', 'a/0/11 ! oops'],
  );
  assert.equal(gmsup('-n', '2').stdout.trimEnd().split('\n').length, 2);
  assert.equal(gmsup('-n', '0').stdout, '');
  const lines = gmsup('b', '--json', '-c', file)
    .stdout.trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.stream, l.worker, l.text]),
    [
      ['stdout', 'b', 'b first'],
      ['daemon', 'b', 'b/0/12 STARTING -> RUNNING'],
      ['stdout', 'b', 'b json'],
    ],
  );
  assert.equal(gmsup('-n', 'x').status, 64);
});

test('logs -f follows appends, a rotation and a new worker file', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'w.yaml');
  writeFileSync(file, 'state_dir: st\nworkers: {}\n');
  const state = join(dir, 'st');
  mkdirSync(join(state, 'logs'), { recursive: true });
  const aLog = join(state, 'logs', 'a.log');
  writeFileSync(join(state, 'daemon.log'), `${at(0)} daemon log start\n`);
  writeFileSync(aLog, `${at(1)} a/0/11 out old\n`);
  const follow = spawn(process.execPath, [BIN, 'logs', '-f', '-n', '1', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => follow.once('exit', (c) => r(c)));
  t.after(() => {
    if (follow.exitCode === null) follow.kill('SIGKILL');
  });
  let out = '';
  follow.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  await waitFor(() => out.includes('a/0/11 old'), { what: `the tail line: ${out}` });
  appendFileSync(aLog, `${at(2)} a/0/11 out appended\n`);
  await waitFor(() => out.includes('appended'), { what: 'an appended line' });
  // Rotation: the writer renames the file and starts a new one at the same path.
  appendFileSync(aLog, `${at(3)} a/0/11 out last before rotation\n`);
  renameSync(aLog, `${aLog}.1`);
  writeFileSync(aLog, `${at(4)} a/0/11 out first after rotation\n`);
  await waitFor(() => out.includes('first after rotation'), { what: `lines across the rotation: ${out}` });
  assert.ok(out.includes('last before rotation'), 'the end of the rotated file is not lost');
  writeFileSync(join(state, 'logs', 'c.log'), `${at(5)} c/0/13 out a new worker\n`);
  await waitFor(() => out.includes('a new worker'), { what: 'a new worker file' });
  follow.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.equal(out.split('\n').filter((l) => l.includes('old')).length, 1, 'nothing printed twice');
});

test("logs NAME -n N finds that worker's last N lines behind other workers' later ones", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'workers.yaml'), 'workers: {}\n');
  const state = join(dir, '.gmsup', 'workers');
  mkdirSync(state, { recursive: true });
  const others = Array.from({ length: 50 }, (_, i) => `${at(10 + i)} daemon:b log b/0/12 line ${i}`);
  writeFileSync(
    join(state, 'daemon.log'),
    [`${at(1)} daemon:a log a/0/11 first`, `${at(2)} daemon:a log a/0/11 second`, ...others, ''].join('\n'),
  );
  const r = spawnSync(process.execPath, [BIN, 'logs', 'a', '-n', '2'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.slice(25)),
    ['daemon:a a/0/11 first', 'daemon:a a/0/11 second'],
  );
});
