// Issue 11 defect 2: the state directory and its files. Nothing is written through a symbolic link, modes
// are 0700/0600 whatever the umask, and a state directory others may write to (or that belongs to someone
// else) is refused with exit code 13 (STATE_UNSAFE) before anything starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ErrorCodes } from '../../../src/shared/errors.js';
import { stateDirFor } from '../../../src/shared/state-dir.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN, fixture, writeConfig } from './daemon-harness.js';
import { type CliResult, startDetached } from './detached.js';

const UNSAFE = ErrorCodes.STATE_UNSAFE.exit;
const VICTIM_TEXT = 'precious\n';

function setup(t: TestContext): { dir: string; file: string; state: string; victim: string } {
  const dir = tempDir(t, 'gmsup-state-');
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
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, VICTIM_TEXT);
  return { dir, file, state: stateDirFor(file), victim };
}

function assertRefused(r: CliResult, pattern: RegExp): void {
  assert.equal(r.status, UNSAFE, `exit code; stderr: ${r.stderr}; stdout: ${r.stdout}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a one-line message, no stack trace');
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

test('a symlinked daemon.pid is refused and its target left alone', (t) => {
  const { file, state, victim } = setup(t);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  symlinkSync(victim, join(state, 'daemon.pid'));
  const r = startDetached(t, file);
  assertRefused(r, /daemon\.pid.*symbolic link/);
  assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT);
});

test('a symlinked daemon.log is refused and its target left alone', (t) => {
  const { file, state, victim } = setup(t);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  symlinkSync(victim, join(state, 'daemon.log'));
  const r = startDetached(t, file);
  assertRefused(r, /daemon\.log.*symbolic link/);
  assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT);
});

test('a symlinked worker log is refused and its target left alone', (t) => {
  const { file, state, victim } = setup(t);
  mkdirSync(join(state, 'logs'), { recursive: true, mode: 0o700 });
  symlinkSync(victim, join(state, 'logs', 'hello.log'));
  const r = startDetached(t, file);
  assertRefused(r, /hello\.log.*symbolic link/);
  assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT);
});

test('under umask 000 every directory is 0700 and every file 0600', async (t) => {
  const { file, state } = setup(t);
  const r = startDetached(t, file, '000');
  assert.equal(r.status, 0, r.stderr);
  const workerLog = join(state, 'logs', 'hello.log');
  await waitFor(() => existsSync(workerLog) && readFileSync(workerLog, 'utf8').includes('hello from'), {
    timeoutMs: 15_000,
    what: 'the worker line in its log file',
  });
  const dirs = [join(state, '..'), state, join(state, 'logs')];
  for (const d of dirs) assert.equal(modeOf(d).toString(8), '700', d);
  for (const f of ['daemon.pid', 'daemon.log', 'daemon.stderr', 'control.sock', 'logs/hello.log'])
    assert.equal(modeOf(join(state, f)).toString(8), '600', f);
});

test('a pre-existing .gmsup writable by others is refused, as is a state directory writable by others', (t) => {
  const { file, state } = setup(t);
  mkdirSync(join(state, '..'), { recursive: true });
  chmodSync(join(state, '..'), 0o777);
  assertRefused(startDetached(t, file), /\.gmsup.*writable by others.*0777/);
  assert.equal(existsSync(state), false, 'nothing created inside it');

  chmodSync(join(state, '..'), 0o700);
  mkdirSync(state);
  chmodSync(state, 0o777);
  assertRefused(startDetached(t, file), /\.gmsup\/w.*writable by others/);
  assert.equal(existsSync(join(state, 'daemon.pid')), false);

  // the foreground daemon refuses the same way
  const fg = spawnSync(process.execPath, [BIN, 'start', file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(fg.status, UNSAFE, fg.stderr);
});

test('a state directory owned by another user is refused', { skip: process.getuid?.() !== 0 && 'needs root' }, (t) => {
  const { file, state } = setup(t);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  chownSync(state, 65534, 65534);
  assertRefused(startDetached(t, file), /\.gmsup\/w.*owned by uid 65534/);
});
