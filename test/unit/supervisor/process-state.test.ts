// The instance state machine, driven with a fake clock: starts, crashes, backoff, FATAL, stop paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  initialProcState,
  reduce,
  TransitionError,
  type ProcEvent,
  type ProcState,
  type Timing,
} from '../../../src/supervisor/process-state.js';

const timing: Timing = {
  restart: { startSecsMs: 1000, startRetries: 3, initialBackoffMs: 100, maxBackoffMs: 800 },
  stopTimeoutMs: 5000,
  termGraceMs: 2000,
  readyTimeoutMs: 30_000,
  stableMs: 10_000,
  drainSlackMs: 500,
  random: () => 0.5, // no jitter
};

/** A machine plus a fake clock: `at(ms)` moves time, `send` applies an event and collects effects. */
function machine() {
  let state: ProcState = initialProcState();
  let now = 0;
  const effects: string[] = [];
  return {
    get state() {
      return state;
    },
    at(ms: number) {
      now = ms;
      return this;
    },
    send(e: ProcEvent) {
      const step = reduce(state, e, now, timing);
      state = step.state;
      for (const ef of step.effects) {
        if (ef.type === 'spawn') effects.push('spawn');
        else if (ef.type === 'signal') effects.push(ef.signal);
        else if (ef.type === 'send-stop') effects.push('send-stop');
        else if (ef.type === 'wake') effects.push(`wake@${ef.atMs}`);
      }
      return this;
    },
    take() {
      return effects.splice(0);
    },
  };
}

function running() {
  const m = machine()
    .send({ type: 'start' })
    .send({ type: 'spawned', pid: 10 })
    .at(50)
    .send({ type: 'ready' })
    .at(1000)
    .send({ type: 'tick' });
  assert.equal(m.state.stateName, 'RUNNING');
  m.take();
  return m;
}

test('STOPPED -> STARTING -> RUNNING after ready and startSecs', () => {
  const m = machine().send({ type: 'start' });
  assert.equal(m.state.stateName, 'STARTING');
  assert.deepEqual(m.take(), ['spawn']);
  m.send({ type: 'spawned', pid: 42 }).at(200).send({ type: 'ready' });
  assert.equal(m.state.stateName, 'STARTING');
  assert.deepEqual(m.take(), ['wake@30000', 'wake@1000']);
  m.at(999).send({ type: 'tick' });
  assert.equal(m.state.stateName, 'STARTING');
  m.at(1000).send({ type: 'tick' });
  assert.equal(m.state.stateName, 'RUNNING');
  assert.equal(m.state.pid, 42);
});

test('ready after startSecs goes straight to RUNNING', () => {
  const m = machine().send({ type: 'start' }).send({ type: 'spawned', pid: 1 }).at(1500).send({ type: 'ready' });
  assert.equal(m.state.stateName, 'RUNNING');
});

test('failed starts back off exponentially (capped), then FATAL with the reason', () => {
  const m = machine().send({ type: 'start' }).send({ type: 'spawned', pid: 1 });
  const delays: number[] = [];
  let t = 10;
  for (let i = 0; i < 3; i++) {
    m.at(t).send({ type: 'exit', code: 1, signal: null });
    assert.equal(m.state.stateName, 'BACKOFF');
    delays.push((m.state.retryAtMs ?? 0) - t);
    t = m.state.retryAtMs ?? 0;
    m.at(t - 1).send({ type: 'tick' });
    assert.equal(m.state.stateName, 'BACKOFF', 'not before the delay');
    m.at(t).send({ type: 'tick' });
    assert.equal(m.state.stateName, 'STARTING');
    m.send({ type: 'spawned', pid: 2 + i });
    t += 10;
  }
  assert.deepEqual(delays, [100, 200, 400]);
  m.at(t).send({ type: 'exit', code: 1, signal: null });
  assert.equal(m.state.stateName, 'FATAL');
  assert.match(m.state.reason ?? '', /exited while starting \(exit 1\); gave up after 4 failed starts/);
  m.take();
  m.send({ type: 'tick' });
  assert.deepEqual(m.take(), [], 'FATAL never respawns by itself');
});

test('init-failed reason is kept through the exit and the FATAL', () => {
  const m = machine().send({ type: 'start' }).send({ type: 'spawned', pid: 1 });
  m.send({ type: 'init-failed', error: 'cannot find module x.ts' }).send({ type: 'exit', code: 1, signal: null });
  assert.equal(m.state.stateName, 'BACKOFF');
  assert.match(m.state.reason ?? '', /init failed: cannot find module x\.ts/);
});

test('spawn errors count as failed starts', () => {
  const m = machine().send({ type: 'start' }).send({ type: 'spawn-failed', error: 'EAGAIN' });
  assert.equal(m.state.stateName, 'BACKOFF');
  assert.match(m.state.reason ?? '', /spawn failed: EAGAIN/);
});

test('a crash after a stable run restarts at once; quick repeats back off, capped', () => {
  const m = running();
  m.at(20_000).send({ type: 'exit', code: null, signal: 'SIGKILL' });
  assert.equal(m.state.stateName, 'STARTING');
  assert.deepEqual(m.take(), ['spawn']);
  assert.equal(m.state.restarts, 1);
  assert.equal(m.state.lastExit, 'signal SIGKILL');
  const delays: number[] = [];
  let t = 20_000;
  for (let i = 0; i < 6; i++) {
    m.send({ type: 'spawned', pid: 100 + i })
      .at(t + 10)
      .send({ type: 'ready' })
      .at(t + 1000)
      .send({ type: 'tick' });
    assert.equal(m.state.stateName, 'RUNNING');
    t += 1500;
    m.at(t).send({ type: 'exit', code: 3, signal: null });
    assert.equal(m.state.stateName, 'BACKOFF');
    delays.push((m.state.retryAtMs ?? 0) - t);
    t = m.state.retryAtMs ?? 0;
    m.at(t).send({ type: 'tick' });
    assert.equal(m.state.stateName, 'STARTING');
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 800, 800]);
  // crash loops: in 10 s of fake time at most a bounded number of spawns happen
  assert.ok(m.state.restarts <= 8);
});

test('streak resets after staying up stableMs', () => {
  const m = running();
  m.at(2000).send({ type: 'exit', code: 1, signal: null }); // first crash: at once
  m.send({ type: 'spawned', pid: 2 }).at(2100).send({ type: 'ready' }).at(3000).send({ type: 'tick' });
  m.at(3500).send({ type: 'exit', code: 1, signal: null });
  assert.equal(m.state.stateName, 'BACKOFF');
  m.at(m.state.retryAtMs ?? 0)
    .send({ type: 'tick' })
    .send({ type: 'spawned', pid: 3 })
    .send({ type: 'ready' });
  m.at(60_000).send({ type: 'tick' }).send({ type: 'exit', code: 1, signal: null });
  assert.equal(m.state.stateName, 'STARTING', 'stable long enough: restart without delay');
});

test('stop drains, then TERM, then KILL of the group; records the path', () => {
  const m = running();
  m.at(5000).send({ type: 'stop', reason: 'shutdown' });
  assert.equal(m.state.stateName, 'STOPPING');
  assert.deepEqual(m.take(), ['send-stop', 'wake@10500']);
  m.at(10_500).send({ type: 'tick' });
  assert.deepEqual(m.take(), ['SIGTERM', 'wake@12500']);
  m.at(12_500).send({ type: 'tick' });
  assert.deepEqual(m.take(), ['SIGKILL']);
  m.send({ type: 'exit', code: null, signal: 'SIGKILL' });
  assert.equal(m.state.stateName, 'STOPPED');
  assert.equal(m.state.lastStopPath, 'kill');
});

test('a drained stop ends on the drain path', () => {
  const m = running();
  m.at(5000).send({ type: 'stop', reason: 'x' }).at(5100).send({ type: 'exit', code: 0, signal: null });
  assert.equal(m.state.stateName, 'STOPPED');
  assert.equal(m.state.lastStopPath, 'drain');
  assert.equal(m.state.lastExit, 'exit 0');
});

test('stopping a not-ready start TERMs it; force goes to KILL; restart respawns', () => {
  const n = machine().send({ type: 'start' }).send({ type: 'spawned', pid: 5 });
  n.take();
  n.send({ type: 'stop', reason: 'r' });
  assert.deepEqual(n.take(), ['SIGTERM', 'wake@2000']);
  n.send({ type: 'stop', reason: 'r', force: true });
  assert.deepEqual(n.take(), ['SIGKILL']);
  const r = running();
  r.send({ type: 'stop', reason: 'restart', restart: true }).send({ type: 'exit', code: 0, signal: null });
  assert.equal(r.state.stateName, 'STARTING');
  assert.equal(r.state.restarts, 1);
});

test('expected exits (max_jobs) end in EXITED without respawn', () => {
  const m = running();
  m.send({ type: 'exit', code: 0, signal: null, expected: 'max_jobs reached' });
  assert.equal(m.state.stateName, 'EXITED');
  assert.deepEqual(m.take(), []);
  assert.equal(m.state.lastExit, 'max_jobs reached');
});

test('a start that never becomes ready is killed and counts as a failed start', () => {
  const m = machine().send({ type: 'start' }).send({ type: 'spawned', pid: 1 });
  m.at(30_000).send({ type: 'tick' });
  assert.equal(m.state.stateName, 'STOPPING');
  m.send({ type: 'exit', code: null, signal: 'SIGKILL' });
  assert.equal(m.state.stateName, 'BACKOFF');
  assert.equal(m.state.failedStarts, 1);
});

test('BACKOFF stop -> STOPPED; transitions from the wrong state throw', () => {
  const m = running();
  m.send({ type: 'exit', code: 1, signal: null })
    .send({ type: 'spawned', pid: 2 })
    .send({ type: 'exit', code: 1, signal: null });
  assert.equal(m.state.stateName, 'BACKOFF');
  m.send({ type: 'stop', reason: 'bye' });
  assert.equal(m.state.stateName, 'STOPPED');
  assert.throws(() => reduce(m.state, { type: 'exit', code: 0, signal: null }, 0, timing), TransitionError);
  assert.throws(() => reduce(running().state, { type: 'start' }, 0, timing), TransitionError);
});

test('an early tick re-arms the wake-up instead of losing the deadline', () => {
  const m = machine().send({ type: 'start' }).send({ type: 'spawned', pid: 1 }).at(100).send({ type: 'ready' });
  m.take();
  m.at(999).send({ type: 'tick' });
  assert.equal(m.state.stateName, 'STARTING');
  assert.deepEqual(m.take(), ['wake@1000']);
  const b = running();
  b.at(2000)
    .send({ type: 'exit', code: 1, signal: null })
    .send({ type: 'spawned', pid: 2 })
    .send({ type: 'exit', code: 1, signal: null });
  b.take();
  b.send({ type: 'tick' });
  assert.equal(b.state.stateName, 'BACKOFF');
  assert.deepEqual(b.take(), [`wake@${b.state.retryAtMs}`]);
});
