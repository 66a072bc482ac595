// `gmsup stop NAME` / `start NAME` (the daemon keeps running), `gmsup signal NAME[/INDEX] SIG` (to each
// instance's process group), and `gmsup describe NAME` (resolved config and live state), on a real daemon.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes } from '../../../src/shared/errors.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, instancesOf, isAlive, startDaemon, waitAllRegistered } from './daemon-harness.js';

const CONFIG = `
server:
  listen: 127.0.0.1:0
workers:
  sig:
    module: ${fixture('signal-echo.mjs')}
    instances: 2
    timeout: 30s
    restart: { start_seconds: 0.2 }
  echo:
    module: ${fixture('echo.mjs')}
    instances: 1
    restart: { start_seconds: 0.2 }
`;

test('stop NAME and start NAME keep the daemon; signal reaches every instance or one; describe', async (t) => {
  const d = await startDaemon(t, CONFIG);
  const daemonPid = d.proc.pid;

  // signal: every instance of sig, then one index; a bad target or signal is refused
  const all = d.cli('signal', 'sig', 'USR2', d.file);
  assert.equal(all.status, 0, all.stderr);
  const sigPids = instancesOf(await d.status(), 'sig').map((i) => i.pid);
  for (const pid of sigPids) {
    assert.match(all.stdout, new RegExp(`SIGUSR2 sent to sig/\\d \\(pid ${pid}\\)`));
    await waitFor(() => d.output().includes(`pid ${pid} got SIGUSR2`), { what: `pid ${pid} to get SIGUSR2` });
  }
  const mark = d.output().length;
  const one = d.cli('signal', 'sig/1', 'SIGUSR2', d.file);
  assert.equal(one.status, 0, one.stderr);
  await waitFor(() => d.output().slice(mark).includes(`pid ${sigPids[1]} got SIGUSR2`), { what: 'index 1 only' });
  assert.ok(!d.output().slice(mark).includes(`pid ${sigPids[0]} got SIGUSR2`), 'index 0 was not signalled');
  assert.equal(d.cli('signal', 'sig/7', 'USR2', d.file).status, 8, 'no such index');
  assert.equal(d.cli('signal', 'nope', 'USR2', d.file).status, 8, 'no such worker');
  assert.equal(d.cli('signal', 'sig', 'NOTASIGNAL', d.file).status, 64);

  // describe: settings as resolved, where they are in the file, and the live instances
  const desc = d.cli('describe', 'sig', d.file);
  assert.equal(desc.status, 0, desc.stderr);
  assert.match(desc.stdout, /^worker sig \(module worker\), .*workers\.yaml:4:3$/m);
  assert.match(desc.stdout, /^ {2}timeout +30s$/m);
  assert.match(desc.stdout, /^ {2}stop_timeout +10s$/m);
  assert.match(
    desc.stdout,
    /^ {2}restart +initial_backoff 100ms, max_backoff 10s, retries 3, start_seconds 200ms, fatal_retry off$/m,
  );
  for (const pid of sigPids) assert.match(desc.stdout, new RegExp(`^ {2}\\d +${pid} +RUNNING`, 'm'));
  assert.match(desc.stdout, /queued 0 {2}running 0 {2}workers 2/);
  const json = JSON.parse(d.cli('describe', 'sig', d.file, '--json').stdout);
  assert.equal(json.config.spec.timeoutMs, 30_000);
  assert.equal(json.instances.length, 2);
  assert.equal(d.cli('describe', 'nope', d.file).status, 8);
  assert.deepEqual(d.cli('describe', '--names', '-c', d.file).stdout.split('\n'), ['sig', 'echo', '']);

  // stop NAME: its instances drain and stop, the daemon and the other worker stay
  const stopped = d.cli('stop', 'sig', d.file);
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.match(stopped.stdout, /sig stopped \(2 instances\)/);
  const s = await d.status();
  assert.deepEqual(
    instancesOf(s, 'sig').map((i) => i.state),
    ['STOPPED', 'STOPPED'],
  );
  assert.equal(instancesOf(s, 'echo')[0]?.state, 'RUNNING');
  for (const pid of sigPids) assert.equal(isAlive(pid ?? 0), false, `sig pid ${pid} gone`);
  assert.ok(daemonPid !== undefined && isAlive(daemonPid), 'the daemon keeps running');
  assert.match(d.cli('status', d.file).stdout, /sig: stopped by request/);
  const nothing = d.cli('signal', 'sig', 'USR2', d.file);
  assert.equal(nothing.status, ErrorCodes.NOT_RUNNING.exit, nothing.stderr);
  assert.equal(d.cli('stop', 'sig', 'nope', d.file).status, 8, 'an unknown name fails before anything is done');

  // start NAME: back to RUNNING; the command returns once they run
  const started = d.cli('start', 'sig', d.file);
  assert.equal(started.status, 0, started.stderr);
  assert.match(started.stdout, /sig started \(2 instances running\)/);
  await waitAllRegistered(d);

  // the same through -c (then every word is a name) and `all`
  assert.equal(d.cli('stop', '-c', d.file, 'all').status, 0);
  assert.ok(instancesOf(await d.status(), 'echo').every((i) => i.state === 'STOPPED'));
  assert.equal(d.cli('start', '-c', d.file, 'all').status, 0);
  await waitAllRegistered(d);

  // and `gmsup stop FILE` still stops the daemon
  assert.equal(d.cli('stop', d.file).status, 0);
  assert.equal(await d.exitCode, 0);
});
