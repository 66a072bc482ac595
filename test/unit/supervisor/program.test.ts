// Program on a fake spawner and a manual clock: replacement first and its rollback, restart backoff and
// FATAL through the real timers, scaling while a rolling restart is pending, and stopAll over mixed states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WELL_BEHAVED } from '../../helpers/fake-spawner.js';
import { programConfig, programHarness } from './fixture.js';

/** A started program whose instances are all RUNNING (startSecs 1 s). */
async function startedProgram(instances = 1, over: Parameters<typeof programConfig>[0] = {}) {
  const h = programHarness(programConfig({ instances, ...over }));
  h.prog.start();
  await h.runFor(1100);
  for (const slot of h.prog.slots) assert.equal(slot.current.stateName, 'RUNNING');
  return h;
}

test('replace: the replacement is RUNNING before the old process is asked to drain', async () => {
  const h = await startedProgram();
  const slot = h.prog.slots[0]!;
  const old = slot.current;
  assert.equal(old.pid, 1000);
  const replaced = h.prog.replace(slot, 'max_memory: RSS 200 MiB > 100 MiB');
  await h.runFor(500);
  // The replacement is up but not yet RUNNING: the old one still serves, untouched.
  assert.notEqual(slot.current, old);
  assert.equal(old.retiring, true);
  assert.deepEqual(
    h.spawner.byPid(1000).sent.map((m) => m.type),
    ['worker:init'],
  );
  await h.runFor(1000);
  assert.equal(await replaced, true);
  const running = h.spawner.when('1001 RUNNING');
  const drain = h.spawner.when('1000 <- worker:stop');
  assert.ok(running >= 0 && drain > running, `replacement RUNNING before the drain: ${h.spawner.timeline.join(', ')}`);
  await h.runFor(100);
  assert.equal(old.stateName, 'STOPPED');
  assert.equal(old.state.lastStopPath, 'drain');
  assert.equal(h.prog.leaving.size, 0, 'the drained process is forgotten once stopped');
  assert.deepEqual(
    h.spawner.live().map((c) => c.pid),
    [1001],
  );
  assert.equal(h.prog.restartsOf(slot), 1);
  assert.match(slot.lastReplaced ?? '', /max_memory/);
  assert.ok(h.logs.some((l) => l.includes('pid 1001 took over from pid 1000')));
});

test('replace rolls back when the replacement goes FATAL: the old process keeps serving', async () => {
  const h = await startedProgram(1, {
    restart: { startSecsMs: 1000, startRetries: 1, initialBackoffMs: 100, maxBackoffMs: 800 },
  });
  const slot = h.prog.slots[0]!;
  const old = slot.current;
  h.spawner.behaviour = { ...WELL_BEHAVED, onInit: 'exit' }; // every new process dies at init
  const replaced = h.prog.replace(slot, 'restart requested');
  await h.runFor(1000);
  assert.equal(await replaced, false);
  assert.equal(slot.current, old);
  assert.equal(old.retiring, false);
  assert.equal(old.stateName, 'RUNNING');
  assert.ok(!h.spawner.byPid(1000).sent.some((m) => m.type === 'worker:stop'), 'the old one was never drained');
  assert.equal(h.prog.leaving.size, 0, 'the FATAL replacement is not left behind as retiring');
  assert.equal(h.prog.restartsOf(slot), 0);
  assert.equal(slot.lastReplaced, null);
  assert.equal(h.spawner.children.length, 3, 'one start and one retry, then FATAL');
  assert.ok(
    h.logs.some((l) => /replacement did not come up \(FATAL: .*\); keeping pid 1000/.test(l)),
    h.logs.join('\n'),
  );
});

test('replace rolls back when the replacement never becomes ready: it is killed at the deadline', async () => {
  const h = await startedProgram();
  const slot = h.prog.slots[0]!;
  const old = slot.current;
  h.spawner.behaviour = { ...WELL_BEHAVED, onInit: 'none' }; // hangs before ready
  const replaced = h.prog.replace(slot, 'restart requested');
  await h.runFor(59_000, 500);
  assert.equal(slot.current.stateName, 'STARTING', 'still trying within the replacement deadline');
  await h.runFor(2000, 100);
  assert.equal(await replaced, false);
  assert.equal(slot.current, old);
  const hanging = h.spawner.children.filter((c) => c.pid !== 1000);
  assert.ok(hanging.length >= 2, 'the not-ready start was killed and retried');
  assert.ok(
    hanging.every((c) => !c.alive),
    'every replacement attempt is gone',
  );
  assert.deepEqual(hanging.at(-1)?.signals, ['SIGKILL'], 'the last attempt was killed by the rollback');
  assert.deepEqual(
    h.spawner.live().map((c) => c.pid),
    [1000],
  );
});

test('crash after a stable run restarts at once; quick crashes back off; RUNNING resets failed starts', async () => {
  const h = await startedProgram();
  const slot = h.prog.slots[0]!;
  const mp = slot.current;
  await h.runFor(500);
  h.spawner.byPid(1000).crash(); // up 1.6 s: the first crash of a streak restarts at once
  await h.runFor(0);
  assert.equal(mp.stateName, 'STARTING');
  assert.equal(h.spawner.children.length, 2);
  await h.runFor(1100);
  assert.equal(mp.stateName, 'RUNNING');
  h.spawner.byPid(1001).crash(); // again within stableMs (10 s): back off
  await h.runFor(0);
  assert.equal(mp.stateName, 'BACKOFF');
  assert.match(mp.state.reason ?? '', /crashed 2 times in a row \(signal SIGKILL\); restart in \d+ ms/);
  await h.runFor(200);
  assert.equal(mp.stateName, 'STARTING', 'restarted after the (100 ms +-20 %) backoff');
  await h.runFor(1100);
  assert.equal(mp.stateName, 'RUNNING');
  await h.runFor(10_000, 1000); // a stable run resets the streak
  h.spawner.byPid(1002).crash();
  await h.runFor(0);
  assert.equal(mp.stateName, 'STARTING', 'no backoff after a stable run');
  assert.equal(mp.state.restarts, 3);

  // A failed start counts; the next RUNNING resets the count, so the next failure is "retry 1" again.
  h.spawner.byPid(1003).exit(1);
  await h.runFor(0);
  assert.match(mp.state.reason ?? '', /retry 1\/3/);
  await h.runFor(1500);
  assert.equal(mp.stateName, 'RUNNING');
  assert.equal(mp.state.failedStarts, 0);
  await h.runFor(10_000, 1000);
  h.spawner.behaviour = { ...WELL_BEHAVED, onInit: 'exit' };
  h.spawner.byPid(1004).crash(); // after a stable run: restarted at once, and that start fails
  await h.runFor(0);
  assert.equal(mp.stateName, 'BACKOFF');
  assert.match(mp.state.reason ?? '', /exited while starting \(exit 1\); retry 1\/3/);
});

test('FATAL after startRetries failed starts (exits and spawn failures alike); nothing respawns it', async () => {
  const h = programHarness(programConfig(), { onInit: 'exit' });
  h.spawner.failNext(2, 'spawn EAGAIN');
  h.prog.start();
  await h.runFor(3000);
  const mp = h.prog.slots[0]!.current;
  assert.equal(mp.stateName, 'FATAL');
  assert.equal(h.spawner.children.length, 4, 'the first start and startRetries (3) retries');
  assert.match(mp.state.reason ?? '', /exited while starting \(exit 1\); gave up after 4 failed starts/);
  await h.runFor(600_000, 60_000);
  assert.equal(h.spawner.children.length, 4, 'FATAL is never retried by itself');
  await h.prog.stopAll('bye');
  assert.equal(mp.stateName, 'FATAL', 'stopAll leaves FATAL as it is');
  h.spawner.behaviour = WELL_BEHAVED;
  h.prog.start();
  await h.runFor(0);
  assert.equal(await h.prog.restart(), 1, 'restart by hand revives it');
  await h.runFor(1100);
  assert.equal(h.prog.slots[0]!.current.stateName, 'RUNNING');
});

test('scale down while a rolling restart is pending: scaled-away slots never restart, none left running', async () => {
  const h = await startedProgram(3);
  h.spawner.behaviour = { ...WELL_BEHAVED, onInit: 'none' }; // replacements wait for the test
  const next = programConfig({ instances: 3 }, { env: { VERSION: '2' } });
  const roll = h.prog.rollingRestart('config changed', next);
  await h.runFor(100);
  assert.equal(h.prog.slots[0]!.replacing?.pid, 1000, 'slot 0 is being replaced');
  h.prog.setDesired(1);
  assert.equal(h.prog.slots.length, 1);
  await h.runFor(100);
  for (const pid of [1001, 1002]) assert.ok(h.spawner.byPid(pid).sent.some((m) => m.type === 'worker:stop'));
  h.spawner.byPid(1003).ready();
  await h.runFor(1100);
  await roll;
  await h.runFor(100);
  assert.deepEqual(
    h.spawner.live().map((c) => c.pid),
    [1003],
  );
  assert.equal(h.spawner.children.length, 4, 'slots 1 and 2 were never replaced');
  const init = h.spawner.byPid(1003).sent[0];
  assert.ok(init?.type === 'worker:init' && init.spec.env.VERSION === '2', 'the replacement runs the new config');
  assert.equal(h.prog.leaving.size, 0);
});

test('scale down takes away a slot in the middle of its replacement: both of its processes go', async () => {
  const h = await startedProgram(2);
  h.spawner.behaviour = { ...WELL_BEHAVED, onInit: 'none' }; // replacements wait for the test
  const roll = h.prog.rollingRestart('config changed', programConfig({ instances: 2 }, { env: { V: '2' } }));
  await h.runFor(100);
  h.spawner.byPid(1002).ready();
  await h.runFor(1100); // slot 0 replaced (1002 took over from 1000); slot 1's replacement 1003 not ready
  assert.equal(h.prog.slots[0]!.current.pid, 1002);
  assert.equal(h.prog.slots[1]!.replacing?.pid, 1001);
  assert.equal(h.prog.slots[1]!.current.pid, 1003);
  h.prog.setDesired(1);
  await h.runFor(100);
  await roll;
  assert.ok(
    h.spawner.byPid(1001).sent.some((m) => m.type === 'worker:stop'),
    'the old one drains',
  );
  assert.deepEqual(h.spawner.byPid(1003).signals, ['SIGTERM'], 'the pending replacement is stopped too');
  assert.deepEqual(
    h.spawner.live().map((c) => c.pid),
    [1002],
  );
  assert.equal(h.prog.leaving.size, 0);
  assert.ok(!h.logs.some((l) => l.includes('took over from pid 1001') || l.includes('did not come up')));
});

test('scale up while a rolling restart is pending: new slots start on the new config, are not rolled', async () => {
  const h = await startedProgram(1);
  h.spawner.behaviour = { ...WELL_BEHAVED, onInit: 'none' };
  const roll = h.prog.rollingRestart('config changed', programConfig({ instances: 1 }, { env: { V: '2' } }));
  await h.runFor(100);
  h.spawner.behaviour = WELL_BEHAVED;
  h.prog.setDesired(3);
  await h.runFor(100);
  h.spawner.byPid(1001).ready();
  await h.runFor(1100);
  await roll;
  await h.runFor(100);
  assert.deepEqual(
    h.prog.slots.map((s) => [s.index, s.current.stateName]),
    [
      [0, 'RUNNING'],
      [1, 'RUNNING'],
      [2, 'RUNNING'],
    ],
  );
  assert.equal(h.spawner.children.length, 4, 'one replacement and two new slots, nothing started twice');
  for (const c of h.spawner.live()) {
    const init = c.sent[0];
    assert.ok(init?.type === 'worker:init' && init.spec.env.V === '2', `pid ${c.pid} runs the new config`);
  }
});

test('stopAll over mixed states: drain, TERM of a start, BACKOFF and FATAL settle, a stuck one is KILLed', async () => {
  const restart = { startSecsMs: 1000, startRetries: 1, initialBackoffMs: 100, maxBackoffMs: 800 };
  const h = programHarness(programConfig({ instances: 5, restart }), { onInit: 'none' });
  h.prog.start();
  await h.runFor(0);
  const [running, starting, backoff, fatal, stuck] = h.prog.slots.map((s) => s.current);
  h.spawner.byPid(1000).ready();
  h.spawner.byPid(1004).ready();
  h.spawner.byPid(1004).behaviour = { onInit: 'none', onStop: 'none', onTerm: 'none' };
  await h.runFor(1100);
  h.spawner.byPid(1003).exit(1); // slot 3: two failed starts with startRetries 1 -> FATAL
  await h.runFor(200);
  h.spawner
    .live()
    .find((c) => c.index === 3)
    ?.exit(1);
  await h.runFor(0);
  h.spawner.byPid(1002).exit(1); // slot 2: one failed start -> BACKOFF
  await h.runFor(0);
  assert.deepEqual(
    [running, starting, backoff, fatal, stuck].map((mp) => mp?.stateName),
    ['RUNNING', 'STARTING', 'BACKOFF', 'FATAL', 'RUNNING'],
  );
  const spawned = h.spawner.children.length;
  const stopped = h.prog.stopAll('daemon shutting down');
  let settled = false;
  void stopped.then(() => {
    settled = true;
  });
  await h.runFor(5000 + 500 + 1000, 100);
  assert.equal(settled, false, 'the stuck one holds stopAll until it is killed');
  await h.runFor(1100, 100);
  await stopped;
  assert.deepEqual(
    [running, starting, backoff, fatal, stuck].map((mp) => [mp?.stateName, mp?.state.lastStopPath]),
    [
      ['STOPPED', 'drain'],
      ['STOPPED', 'term'],
      ['STOPPED', null],
      ['FATAL', null],
      ['STOPPED', 'kill'],
    ],
  );
  assert.deepEqual(h.spawner.byPid(1004).signals, ['SIGTERM', 'SIGKILL']);
  assert.equal(h.spawner.children.length, spawned, 'nothing was spawned after the stop began');
  assert.equal(h.spawner.live().length, 0);
  assert.equal(h.prog.stopped, true);
  await h.runFor(60_000, 5000);
  assert.equal(h.spawner.children.length, spawned, 'the BACKOFF retry never fires after the stop');
});

test('a module program keeps a warm spare; a crashed instance restarts on it without a new spawn', async () => {
  const h = programHarness(programConfig({}, { kind: 'module', command: undefined, modulePath: '/tmp/w.mjs' }));
  h.prog.start();
  await h.runFor(1100);
  assert.equal(h.spawner.children.length, 2, 'the instance and, once it runs, the spare');
  const spare = h.spawner.children[1]!;
  assert.equal(spare.options.env.GMSUP_SPARE, '1');
  assert.equal(spare.initialised, false);
  await h.runFor(20_000, 1000); // stable run: the crash restarts at once
  h.spawner.byPid(1000).crash();
  await h.runFor(1100);
  assert.equal(h.prog.slots[0]!.current.pid, spare.pid, "the spare took the crashed one's place");
  assert.equal(spare.index, 0);
  assert.equal(h.prog.slots[0]!.current.stateName, 'RUNNING');
  assert.equal(h.spawner.children.length, 3, 'and a new spare is prepared');
  await h.prog.stopAll('bye');
  assert.equal(h.spawner.live().length, 0, 'stopAll also ends the spare');
});

test('a malformed IPC message is reported as a failure of that instance', async () => {
  const h = await startedProgram();
  h.spawner.byPid(1000).emit('invalid-message', 'worker message job:end: field "ok" must be true or false');
  assert.deepEqual(h.failures, [
    'w/0/1000: malformed IPC message dropped: worker message job:end: field "ok" must be true or false',
  ]);
});
