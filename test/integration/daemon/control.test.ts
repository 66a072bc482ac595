// The control CLI against the real daemon (status, scale, restart, logs, check, stop), a second daemon
// (ALREADY_RUNNING), no daemon (NO_DAEMON), and SIGKILL of the daemon: workers exit by themselves and
// the stale control socket is replaced by the next daemon.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { controlSocketPath, stateDirFor } from '../../../src/shared/state-dir.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN, fixture, instancesOf, isAlive, startDaemon, waitAllRegistered, writeConfig } from './daemon-harness.js';

const CONFIG = `
server:
  listen: 127.0.0.1:0
workers:
  echo:
    module: ${fixture('echo.mjs')}
    instances: 2
    restart: { start_seconds: 0.2 }
`;

test('control commands, second daemon refused, SIGKILL of the daemon leaves no workers behind', async (t) => {
  const d = await startDaemon(t, CONFIG);
  const client = new GearmanClient({ servers: [await d.server()] });
  t.after(() => client.close());
  for (let i = 0; i < 5; i++) await client.submit('echo', `c${i}`);

  const sock = controlSocketPath(stateDirFor(d.file));
  assert.equal(statSync(sock).mode & 0o777, 0o600);

  const st = d.cli('status', d.file);
  assert.equal(st.status, 0, st.stderr);
  assert.match(st.stdout, /echo\s+echo\s+0\s+\d+\s+RUNNING/);
  assert.match(st.stdout, /1\/1/);
  assert.match(st.stdout, /job server 127\.0\.0\.1:\d+ \(embedded\): reachable/);
  const json = JSON.parse(d.cli('status', d.file, '--json').stdout);
  assert.equal(
    json.instances.reduce((n: number, i: { jobsDone: number }) => n + i.jobsDone, 0),
    5,
  );
  assert.equal(json.jobsDoneByFunction.echo, 5);

  // second daemon for the same file
  const second = spawnSync(process.execPath, [BIN, 'start', d.file], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(second.status, 9, second.stderr);
  assert.match(second.stderr, /already running/);

  // scale (runtime override), restart (rolling, pids change), logs, check (plan)
  assert.equal(d.cli('scale', 'echo', '3', d.file).status, 0);
  const scaled = await waitAllRegistered(d);
  assert.equal(instancesOf(scaled, 'echo').length, 3);
  assert.match(d.cli('status', d.file).stdout, /scaled to 3 at runtime, config says 2/);
  const before = instancesOf(scaled, 'echo').map((i) => i.pid);
  const rs = d.cli('restart', 'echo', d.file);
  assert.equal(rs.status, 0, rs.stderr);
  const after = await waitAllRegistered(d);
  const pidsAfter = instancesOf(after, 'echo')
    .filter((i) => !i.retiring)
    .map((i) => i.pid);
  assert.equal(pidsAfter.filter((p) => before.includes(p)).length, 0, 'every instance replaced');
  assert.equal(d.cli('restart', 'nope', d.file).status, 8);

  const logs = d.cli('logs', 'echo', d.file, '-n', '500');
  assert.equal(logs.status, 0);
  assert.match(logs.stdout, /took over from pid/);
  const candidate = join(d.dir, 'candidate.yaml');
  writeConfig(candidate, CONFIG.replace('instances: 2', 'instances: 4'));
  const check = d.cli('check', candidate, '--running', d.file);
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /echo\s+scale\s+2 -> 4 instances/);

  // logs -f streams new lines
  const follow = spawn(process.execPath, [BIN, 'logs', d.file, '-f', '-n', '1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.after(() => follow.kill('SIGKILL'));
  let followed = '';
  follow.stdout.setEncoding('utf8').on('data', (c: string) => {
    followed += c;
  });
  await waitFor(() => followed.length > 0, { what: 'logs -f initial line' });
  assert.equal(d.cli('scale', 'echo', '1', d.file).status, 0);
  await waitFor(() => /scaled 3 -> 1/.test(followed), { what: `followed scale line in: ${followed}` });

  // SIGKILL the daemon: its workers notice the IPC channel close and exit on their own
  const live = instancesOf(await d.status(), 'echo').map((i) => i.pid!);
  d.proc.kill('SIGKILL');
  await d.exitCode;
  await waitFor(() => live.every((pid) => !isAlive(pid)), {
    timeoutMs: 8000,
    what: 'workers to exit after the daemon died',
  });
  assert.ok(existsSync(sock), 'the killed daemon left its socket behind');
  const none = spawnSync(process.execPath, [BIN, 'status', d.file], { encoding: 'utf8' });
  assert.equal(none.status, 3);
  assert.match(none.stderr, /no daemon/);

  // a new daemon replaces the stale socket; `stop` drains it and it exits 0
  const d2 = await startDaemon(t, CONFIG.replace('instances: 2', 'instances: 1'));
  assert.equal(d2.cli('stop', d2.file).status, 0);
  assert.equal(await d2.exitCode, 0);
});

test('a stale socket does not block a start; no daemon -> exit 3; check of a bad file -> exit 2', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'workers.yaml');
  writeConfig(file, 'workers:\n  echo:\n    modle: x.mjs\n');
  const bad = spawnSync(process.execPath, [BIN, 'check', file], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /workers\.yaml:3:\d+ .*modle.*module/);
  const start = spawnSync(process.execPath, [BIN, 'start', file], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(start.status, 2, 'an invalid file starts nothing');
  for (const cmd of [['status'], ['stop'], ['reload'], ['scale', 'echo', '2'], ['logs']]) {
    const r = spawnSync(process.execPath, [BIN, ...cmd, file], { encoding: 'utf8' });
    assert.equal(r.status, 3, `${cmd.join(' ')}: ${r.stderr}`);
  }
});
