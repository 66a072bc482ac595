// The ManualClock the supervisor's tests run on: timers fire in due order as time is moved by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/shared/clock.js';

test('advance runs due timers in order, with now() at each due time; cleared timers never run', () => {
  const clock = new ManualClock(0);
  const ran: string[] = [];
  clock.setTimeout(() => ran.push(`b@${clock.now()}`), 200);
  clock.setTimeout(() => ran.push(`a@${clock.now()}`), 100);
  clock.setTimeout(() => ran.push(`a2@${clock.now()}`), 100);
  const never = clock.setTimeout(() => ran.push('never'), 150);
  clock.clearTimeout(never);
  clock.advance(99);
  assert.deepEqual(ran, []);
  clock.advance(1);
  assert.deepEqual(ran, ['a@100', 'a2@100']);
  clock.advance(1000);
  assert.deepEqual(ran, ['a@100', 'a2@100', 'b@200']);
  assert.equal(clock.now(), 1100);
  assert.equal(clock.pendingTimers, 0);
});

test('a timer set while advancing runs in the same advance when it falls due within it', () => {
  const clock = new ManualClock(0);
  const ran: number[] = [];
  const again = () => {
    ran.push(clock.now());
    if (ran.length < 3) clock.setTimeout(again, 10);
  };
  clock.setTimeout(again, 10);
  clock.advance(25);
  assert.deepEqual(ran, [10, 20]);
  assert.equal(clock.nextDueAtMs(), 30);
  clock.advance(5);
  assert.deepEqual(ran, [10, 20, 30]);
  assert.equal(clock.nextDueAtMs(), null);
});

test('a timer loop that never lets time move fails loudly instead of hanging', () => {
  const clock = new ManualClock(0);
  const loop = () => clock.setTimeout(loop, 0);
  loop();
  assert.throws(() => clock.advance(1), /over \d+ timers in one advance/);
});
