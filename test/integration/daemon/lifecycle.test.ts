// The real daemon: start, jobs from our client and PHP, SIGKILL of a worker (restart and re-register),
// crash loops back off, a worker that cannot load goes FATAL, and SIGTERM stops all with no orphans.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { skipUnless } from '../../helpers/external.js';
import { freePort } from '../../helpers/gearmand.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, instancesOf, isAlive, nth, startDaemon } from './daemon-harness.js';

test('start, jobs flow, a killed worker comes back registered, SIGTERM stops everything', async (t) => {
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
workers:
  echo:
    module: ${fixture('echo.mjs')}
    instances: 2
  wc:
    command: wc -c
    instances: 1
`,
  );
  const server = await d.server();
  const client = new GearmanClient({ servers: [server] });
  t.after(() => client.close());
  assert.match((await client.submit('echo', 'hi')).toString(), /^\d+:hi$/);
  assert.equal((await client.submit('wc', 'hello')).toString().trim(), '5');
  if (!skipUnless('phpGearman')) {
    const [host, port] = server.split(':');
    const php = spawnSync(
      'php',
      ['-r', `$c = new GearmanClient(); $c->addServer("${host}", ${port}); echo $c->doNormal("echo", "from-php");`],
      { encoding: 'utf8', timeout: 20_000 },
    );
    assert.match(php.stdout, /^\d+:from-php$/, php.stderr);
  }

  const before = await d.status();
  const victim = nth(instancesOf(before, 'echo'), 0, 'echo instance');
  assert.equal(victim.registeredOn, 1);
  process.kill(victim.pid!, 'SIGKILL');
  const after = await waitFor(
    async () => {
      const s = await d.status();
      const i = s.instances.find((x) => x.name === 'echo' && x.index === victim.index);
      return i && i.pid !== victim.pid && i.state === 'RUNNING' && i.registeredOn === 1 ? s : null;
    },
    { timeoutMs: 10_000, what: 'replacement of the killed worker registered' },
  );
  const replaced = after.instances.find((x) => x.name === 'echo' && x.index === victim.index)!;
  assert.equal(replaced.restarts, 1);
  assert.equal(replaced.lastExit, 'signal SIGKILL');
  // jobs keep flowing through the replacement
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.submit('echo', `j${i}`)));
  assert.equal(results.length, 20);

  const pids = after.instances.map((i) => i.pid!);
  d.proc.kill('SIGTERM');
  assert.equal(await d.exitCode, 0, d.output());
  assert.match(d.output(), /stopped via drain/);
  for (const pid of pids) assert.equal(isAlive(pid), false, `worker ${pid} outlived the daemon`);
});

test('quick crashes back off; a worker that cannot load goes FATAL with the reason', async (t) => {
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
workers:
  crashy:
    module: ${fixture('crash-on-job.mjs')}
    instances: 1
    restart:
      initial_backoff: 300ms
      max_backoff: 1s
      retries: 20
      start_seconds: 0.1
  broken:
    module: ${fixture('crash-at-load.mjs')}
    instances: 1
    restart:
      initial_backoff: 50ms
      max_backoff: 100ms
      retries: 2
      start_seconds: 0.5
`,
    { waitRunning: false },
  );
  let last = '';
  const s = await waitFor(
    async () => {
      const snap = await d.status();
      last = JSON.stringify(instancesOf(snap, 'broken'));
      return instancesOf(snap, 'broken')[0]?.state === 'FATAL' ? snap : null;
    },
    { timeoutMs: 15_000, what: 'broken to go FATAL' },
  ).catch((err: Error) => {
    throw new Error(`${err.message} ${last}`);
  });
  const broken = nth(instancesOf(s, 'broken'), 0, 'broken instance');
  assert.match(broken.reason ?? '', /fixture refuses to load/);
  assert.match(broken.reason ?? '', /gave up after 3 failed starts/);
  assert.equal(broken.restarts, 2);

  await waitFor(async () => instancesOf(await d.status(), 'crashy')[0]?.state === 'RUNNING', {
    timeoutMs: 10_000,
    what: 'crashy running',
  });
  const client = new GearmanClient({ servers: [await d.server()] });
  t.after(() => client.close());
  // A poison job: the process dies on it, the server hands it to the replacement, which dies too.
  // The first restart is immediate; the following ones back off, growing and capped (no fork bomb).
  await client.submitBackground('crashy', 'die');
  await waitFor(async () => (instancesOf(await d.status(), 'crashy')[0]?.restarts ?? 0) >= 4, {
    timeoutMs: 15_000,
    what: 'crash loop restarts',
  });
  // The replacement may die before or after start_seconds (a warm spare is that fast): either way the
  // delay before the next spawn comes from the capped backoff.
  const delays = [
    ...d.output().matchAll(/crashy\/0\/\d+ (?:RUNNING|STARTING) -> BACKOFF: .*?(?:restart|retry \d+\/20) in (\d+) ms/g),
  ].map((m) => Number(m[1]));
  assert.ok(delays.length >= 2, d.output());
  const [first, second] = [nth(delays, 0, 'backoff delay'), nth(delays, 1, 'backoff delay')];
  assert.ok(first >= 240 && first <= 360, `first backoff ~300 ms: ${delays}`);
  assert.ok(second > first, `backoff grows: ${delays}`);
  assert.ok(
    delays.every((ms) => ms <= 1200),
    `capped at max_backoff (+jitter): ${delays}`,
  );
});

test('an unreachable job server is shown in status and never makes an instance FATAL', async (t) => {
  const [live, dead] = [await freePort(), await freePort()];
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:${live}
servers: [127.0.0.1:${live}, 127.0.0.1:${dead}]
workers:
  echo:
    module: ${fixture('echo.mjs')}
    instances: 1
    restart: { start_seconds: 0.2 }
`,
    { waitRunning: false },
  );
  const s = await waitFor(
    async () => {
      const snap = await d.status();
      const i = snap.instances[0];
      return i?.state === 'RUNNING' && i.registeredOn === 1 && snap.servers.some((x) => !x.reachable) ? snap : null;
    },
    { timeoutMs: 15_000, what: 'running on the live server, dead one flagged' },
  );
  assert.equal(nth(s.instances, 0, 'instance').serverCount, 2);
  const st = d.cli('status', d.file);
  assert.match(st.stdout, new RegExp(`job server 127\\.0\\.0\\.1:${dead}: UNREACHABLE`));
  assert.match(st.stdout, /1\/2/);
  const client = new GearmanClient({ servers: [await d.server()] });
  t.after(() => client.close());
  assert.match((await client.submit('echo', 'still works')).toString(), /still works$/);
  assert.equal(nth((await d.status()).instances, 0, 'instance').state, 'RUNNING');
});
