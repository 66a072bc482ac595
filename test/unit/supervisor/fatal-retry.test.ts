// `restart.fatal_retry` (issue 11 defect 7, Supervisor issue 487): off by default; when set, a FATAL
// instance gets one fresh start sequence after the delay, again and again, until it runs. A stop cancels
// the pending retry. Reducer on a hand-moved clock, Program on the fake spawner and the manual clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatStatus } from '../../../src/cli/status-text.js';
import {
  initialProcState,
  reduce,
  type ProcEvent,
  type ProcState,
  type Timing,
} from '../../../src/supervisor/process-state.js';
import { buildSnapshot } from '../../../src/supervisor/snapshot.js';
import { WELL_BEHAVED } from '../../helpers/fake-spawner.js';
import { programConfig, programHarness, supervisorHarness } from './fixture.js';

const FIVE_MIN = 300_000;
const restart = { startSecsMs: 1000, startRetries: 1, initialBackoffMs: 100, maxBackoffMs: 800 };
const timing = (fatalRetryMs: number | null): Timing => ({
  restart: { ...restart, fatalRetryMs },
  stopTimeoutMs: 5000,
  termGraceMs: 2000,
  readyTimeoutMs: 30_000,
  stableMs: 10_000,
  drainSlackMs: 500,
  random: () => 0.5,
});

function machine(fatalRetryMs: number | null) {
  let state: ProcState = initialProcState();
  let t = timing(fatalRetryMs);
  const wakes: number[] = [];
  let spawns = 0;
  const send = (e: ProcEvent, now: number) => {
    const step = reduce(state, e, now, t);
    state = step.state;
    for (const ef of step.effects) {
      if (ef.type === 'wake') wakes.push(ef.atMs);
      if (ef.type === 'spawn') spawns++;
    }
  };
  return {
    get state() {
      return state;
    },
    get spawns() {
      return spawns;
    },
    wakes,
    send,
    retime(fatal: number | null) {
      t = timing(fatal);
    },
    /** start + startRetries failed starts: FATAL at `now`. */
    failToFatal(now: number) {
      if (state.stateName !== 'STARTING') send({ type: 'start' }, now);
      send({ type: 'spawned', pid: 1 }, now);
      send({ type: 'exit', code: 1, signal: null }, now); // -> BACKOFF 100 ms
      send({ type: 'tick' }, now + 100);
      send({ type: 'spawned', pid: 2 }, now + 100);
      send({ type: 'exit', code: 1, signal: null }, now + 100); // -> FATAL
    },
  };
}

test('off by default: FATAL stays FATAL, no timer', () => {
  const m = machine(null);
  m.failToFatal(0);
  assert.equal(m.state.stateName, 'FATAL');
  assert.equal(m.state.retryAtMs, null);
  const wakes = m.wakes.length;
  m.send({ type: 'tick' }, 24 * 3600_000);
  assert.equal(m.state.stateName, 'FATAL');
  assert.equal(m.wakes.length, wakes, 'no wake-up asked for');
});

test('fatal_retry: FATAL -> STARTING after the delay with a fresh start sequence, as often as needed', () => {
  const m = machine(FIVE_MIN);
  m.failToFatal(0);
  assert.equal(m.state.stateName, 'FATAL');
  assert.equal(m.state.retryAtMs, 100 + FIVE_MIN);
  assert.equal(m.wakes.at(-1), 100 + FIVE_MIN, 'a timer for the retry');
  assert.match(m.state.reason ?? '', /gave up after 2 failed starts; fatal_retry in 5m00s/);
  m.send({ type: 'tick' }, 100 + FIVE_MIN - 1);
  assert.equal(m.state.stateName, 'FATAL', 'not before the delay');
  const spawns = m.spawns;
  m.send({ type: 'tick' }, 100 + FIVE_MIN);
  assert.equal(m.state.stateName, 'STARTING');
  assert.equal(m.spawns, spawns + 1);
  assert.equal(m.state.failedStarts, 0, 'startRetries counts again from zero');
  assert.equal(m.state.fatalRetries, 1);
  // It fails again: startRetries more starts, then FATAL with the next retry.
  m.failToFatal(100 + FIVE_MIN);
  assert.equal(m.state.stateName, 'FATAL');
  assert.equal(m.spawns, spawns + 2, 'one fresh sequence: the retry start and startRetries (1) more');
  assert.equal(m.state.retryAtMs, 200 + 2 * FIVE_MIN);
  // This time it comes up: RUNNING clears the count.
  m.send({ type: 'tick' }, 200 + 2 * FIVE_MIN);
  m.send({ type: 'spawned', pid: 9 }, 200 + 2 * FIVE_MIN);
  m.send({ type: 'ready' }, 200 + 2 * FIVE_MIN + 1000);
  assert.equal(m.state.stateName, 'RUNNING');
  assert.equal(m.state.fatalRetries, 0);
  assert.equal(m.state.retryAtMs, null);
});

test('a stop cancels a pending retry; a start by hand starts at once; switching it off cancels too', () => {
  const m = machine(FIVE_MIN);
  m.failToFatal(0);
  m.send({ type: 'stop', reason: 'stopped by request' }, 1000);
  assert.equal(m.state.stateName, 'FATAL');
  assert.equal(m.state.retryAtMs, null);
  m.send({ type: 'tick' }, 100 + FIVE_MIN);
  assert.equal(m.state.stateName, 'FATAL', 'no retry after a stop');

  const byHand = machine(FIVE_MIN);
  byHand.failToFatal(0);
  byHand.send({ type: 'start' }, 5000);
  assert.equal(byHand.state.stateName, 'STARTING');
  assert.equal(byHand.state.retryAtMs, null);

  const off = machine(FIVE_MIN);
  off.failToFatal(0);
  off.retime(null); // a reload removed fatal_retry
  off.send({ type: 'tick' }, 100 + FIVE_MIN);
  assert.equal(off.state.stateName, 'FATAL');
  assert.equal(off.state.retryAtMs, null);
});

test('Program: the retry runs on the real timers; status shows "FATAL, retry in ..."; stopAll cancels it', async () => {
  const config = programConfig({ restart: { ...restart, fatalRetryMs: FIVE_MIN } });
  const h = supervisorHarness([config], { onInit: 'exit' });
  h.start();
  await h.runFor(2000);
  const prog = h.sup.program('w');
  const mp = prog.slots[0]!.current;
  assert.equal(mp.stateName, 'FATAL');
  assert.equal(h.spawner.children.length, 2);
  await h.runFor(48_000, 1000);
  const info = { configFile: '/tmp/workers.yaml', startedAtMs: 0, configError: null };
  const snap = buildSnapshot(h.sup, null, h.errors, info, h.clock.now());
  const inst = snap.instances[0]!;
  assert.equal(inst.state, 'FATAL');
  assert.ok(inst.retryInMs !== null && inst.retryInMs > 250_000 && inst.retryInMs <= FIVE_MIN, `${inst.retryInMs}`);
  assert.match(formatStatus(snap), /FATAL, retry in 4m1\ds/);
  h.spawner.behaviour = WELL_BEHAVED;
  await h.runFor(FIVE_MIN, 5000);
  assert.equal(h.spawner.children.length, 3, 'one new start after the delay');
  await h.runFor(1100);
  assert.equal(prog.slots[0]!.current.stateName, 'RUNNING');
  assert.ok(
    h.lines().some((l) => /w\/0\/- FATAL -> STARTING \(fatal_retry 1 after 5m00s\)/.test(l)),
    h.lines().join('\n'),
  );

  const p2 = programHarness(programConfig({ restart: { ...restart, fatalRetryMs: FIVE_MIN } }), { onInit: 'exit' });
  p2.prog.start();
  await p2.runFor(2000);
  assert.equal(p2.prog.slots[0]!.current.stateName, 'FATAL');
  await p2.prog.stopAll('stopped by request');
  await p2.runFor(FIVE_MIN + 1000, 10_000);
  assert.equal(p2.spawner.children.length, 2, 'a stopped program is not retried');
});
