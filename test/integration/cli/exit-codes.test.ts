// Every exit status of the CLI on purpose, each with a one-line message and no stack trace (issue 11
// defect 4: a bad listen address exited 9 "already running"; a directory at the control socket path
// exited 70 with a stack trace, 10 with --daemon). The statuses are documented in the README.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { ErrorCodes, type ErrorCode } from '../../../src/shared/errors.js';
import { freePort } from '../../helpers/gearmand.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN, fixture, instancesOf, startDaemon } from '../daemon/daemon-harness.js';

function gmsup(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The status is the code's, and stderr is one line naming the command (no stack trace). */
function expectExit(r: ReturnType<typeof gmsup>, code: ErrorCode, message: RegExp, oneLine = true): void {
  assert.equal(r.status, ErrorCodes[code].exit, `${code}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  if (oneLine) assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
}

test('listen and state-dir failures: their own codes, one line, also with --daemon', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad-host.yaml');
  writeFileSync(bad, 'server:\n  listen: 999.1.1.1:4799\nworkers: {}\n');
  const last = (r: ReturnType<typeof gmsup>) => ({ ...r, stderr: r.stderr.trimEnd().split('\n').at(-1) ?? '' });
  // Foreground: the daemon's own log lines go to stdout; the error is the last stderr line.
  expectExit(last(gmsup(dir, 'start', bad)), 'CANNOT_LISTEN', /cannot listen on 999\.1\.1\.1:4799: unknown host/);
  expectExit(gmsup(dir, 'start', bad, '--daemon'), 'CANNOT_LISTEN', /status 15.*unknown host/);

  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.after(() => blocker.close());
  const taken = join(dir, 'taken.yaml');
  writeFileSync(taken, `server:\n  listen: 127.0.0.1:${(blocker.address() as net.AddressInfo).port}\nworkers: {}\n`);
  expectExit(last(gmsup(dir, 'start', taken)), 'ADDRESS_IN_USE', /the address is in use by another process/);

  const dirAtSocket = join(dir, 'sockdir.yaml');
  writeFileSync(dirAtSocket, 'server:\n  listen: 127.0.0.1:0\nworkers: {}\n');
  mkdirSync(join(dir, '.gmsup', 'sockdir', 'control.sock'), { recursive: true });
  expectExit(gmsup(dir, 'start', dirAtSocket), 'STATE_DIR', /control\.sock exists and is not a socket \(a directory\)/);
  expectExit(gmsup(dir, 'start', dirAtSocket, '--daemon'), 'STATE_DIR', /status 16.*not a socket/);
});

test('one case per documented exit status', async (t) => {
  const [live, dead] = [await freePort(), await freePort()];
  const mods = tempDir(t);
  writeFileSync(join(mods, 'fails.mjs'), "export default () => { throw new Error('the fixture fails'); };\n");
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:${live}
servers: [127.0.0.1:${live}, 127.0.0.1:${dead}]
workers:
  echo:
    module: ${fixture('echo.mjs')}
    restart: { start_seconds: 0.2 }
  fails:
    module: ${join(mods, 'fails.mjs')}
    restart: { start_seconds: 0.2 }
  broken:
    module: ${fixture('crash-at-load.mjs')}
    restart: { initial_backoff: 50ms, max_backoff: 100ms, retries: 0, start_seconds: 0.5 }
`,
    { waitRunning: false },
  );
  const dir = d.dir;
  await waitFor(async () => instancesOf(await d.status(), 'broken')[0]?.state === 'FATAL', { what: 'broken FATAL' });
  const server = await d.server();

  // 17 when an instance is FATAL (over 5: a job server is down too); 5 once only the server is down.
  const st = gmsup(dir, 'status', d.file);
  expectExit(st, 'INSTANCE_FATAL', /^gmsup status: FATAL: broken\/0$/m);
  assert.match(st.stdout, /broken .* FATAL/, 'the status text is printed first');
  assert.equal(gmsup(dir, 'stop', 'broken', d.file).status, 0);
  expectExit(gmsup(dir, 'status', d.file), 'SERVER_UNREACHABLE', new RegExp(`unreachable: 127\\.0\\.0\\.1:${dead}`));

  expectExit(gmsup(dir, 'submit', 'fails', 'x', '-s', server), 'JOB_FAILED', /the fixture fails/);
  expectExit(gmsup(dir, 'submit', 'nobody', 'x', '-s', server, '-t', '300'), 'TIMEOUT', /300 ms|timed out/i);
  expectExit(gmsup(dir, 'submit', 'echo', 'x', '-s', `127.0.0.1:${dead}`), 'SERVER_UNREACHABLE', /127\.0\.0\.1/);
  expectExit(gmsup(dir, 'admin', 'bogus', '-s', server), 'SERVER_ERROR', /^$/, false);
  expectExit(gmsup(dir, 'restart', 'nope', d.file), 'BAD_NAME', /no worker named "nope"/);
  expectExit(gmsup(dir, 'start', d.file), 'ALREADY_RUNNING', /already running/);
  expectExit(gmsup(dir, 'signal', 'broken', 'USR2', d.file), 'NOT_RUNNING', /broken: no running process/);
  expectExit(gmsup(dir, 'tui', d.file), 'NO_TTY', /needs a terminal/);
  expectExit(gmsup(dir, 'status', '--bogus'), 'USAGE', /Unknown option '--bogus'/, false);

  const other = tempDir(t);
  const badFile = join(other, 'workers.yaml');
  writeFileSync(badFile, 'workers:\n  x:\n    modle: y.mjs\n');
  expectExit(
    gmsup(other, 'check', badFile),
    'CONFIG_INVALID',
    /workers\.yaml:3:5 workers\.x\.modle: unknown key/,
    false,
  );
  expectExit(gmsup(other, 'status', join(other, 'none.yaml')), 'NO_DAEMON', /no daemon is running/);
  expectExit(gmsup(other, 'work', 'f', '--module', join(other, 'missing.mjs')), 'SPAWN_ERROR', /missing\.mjs/);
  const fresh = tempDir(t);
  assert.equal(gmsup(fresh, 'init').status, 0);
  assert.equal(gmsup(fresh, 'check').status, 0, 'what init writes is valid');
  expectExit(gmsup(fresh, 'init'), 'FILE_EXISTS', /already exist.*--force/);
  assert.equal(gmsup(fresh, 'init', '--force').status, 0);

  // --json on check and admin: the same outcome as one object, with the same exit status.
  const checkJson = gmsup(other, 'check', badFile, '--json');
  assert.equal(checkJson.status, 2);
  const problems = JSON.parse(checkJson.stdout).problems as Array<{ line: number; message: string }>;
  assert.ok(problems.some((p) => p.line === 3 && /unknown key; did you mean module/.test(p.message)));
  const adminJson = gmsup(dir, 'admin', 'status', '--json', '-s', `${server},127.0.0.1:${dead}`);
  assert.equal(adminJson.status, 5, adminJson.stderr);
  const [up, down] = JSON.parse(adminJson.stdout);
  assert.equal(up.ok, true);
  assert.ok(
    up.parsed.some((f: { name: string }) => f.name === 'echo'),
    JSON.stringify(up),
  );
  assert.equal(down.ok, false);
  assert.equal(down.error.code, 'SERVER_UNREACHABLE');
  // PROTOCOL (7) and INTERNAL (70) are not produced on purpose here: a peer breaking the protocol is covered
  // by the client's tests, and 70 means a bug.
});
