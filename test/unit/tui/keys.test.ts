// The key reducer: selection, actions mapped to the same control calls as the CLI, filter editing,
// and the embedded (start --tui) quit/detach behaviour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialUiState, reduceKey, type UiState } from '../../../src/tui/keys.js';
import { processRows } from '../../../src/tui/process-rows.js';
import { autoscale, program, snapshot } from './snapshot-fixture.js';

const snap = snapshot();
const rows = processRows(snap, '');

function press(state: UiState, ...keys: Array<{ name?: string; ch?: string; ctrl?: boolean }>) {
  let s = state;
  let action = reduceKey(s, {}, rows, snap.programs).action;
  for (const k of keys) ({ state: s, action } = reduceKey(s, k, rows, snap.programs));
  return { state: s, action };
}

test('j/k and arrows move the selection, clamped to the rows', () => {
  const s0 = initialUiState(false);
  assert.equal(press(s0, { ch: 'j' }, { name: 'down' }).state.selectedKey, 'wc/0');
  assert.equal(press(s0, { ch: 'j' }, { ch: 'j' }, { ch: 'j' }, { ch: 'j' }).state.selectedKey, 'wc/0');
  assert.equal(press(s0, { ch: 'j' }, { name: 'up' }, { ch: 'k' }).state.selectedKey, 'reverse/0');
});

test('r restarts the selected instance, R the worker, +/- scale from desired, s stops or starts', () => {
  const s1 = press(initialUiState(false), { ch: 'j' }).state;
  assert.deepEqual(press(s1, { ch: 'r' }).action, {
    kind: 'control',
    method: 'restart',
    params: { name: 'reverse', index: 1 },
    label: 'restart reverse/1',
  });
  assert.deepEqual(press(s1, { ch: 'R' }).action, {
    kind: 'control',
    method: 'restart',
    params: { name: 'reverse' },
    label: 'restart reverse',
  });
  assert.deepEqual(press(s1, { ch: '+' }).action, {
    kind: 'control',
    method: 'scale',
    params: { name: 'reverse', instances: 3 },
    label: 'scale reverse to 3',
  });
  assert.deepEqual(press(s1, { ch: '-' }).action, {
    kind: 'control',
    method: 'scale',
    params: { name: 'reverse', instances: 1 },
    label: 'scale reverse to 1',
  });
  assert.equal((press(s1, { ch: 's' }).action as { method: string }).method, 'stop-worker');
  const stopped = [program('reverse', 2, { stopped: true })];
  assert.equal((reduceKey(s1, { ch: 's' }, rows, stopped).action as { method: string }).method, 'start-worker');
  const zero = [program('reverse', 0)];
  assert.equal(reduceKey(s1, { ch: '-' }, rows, zero).action.kind, 'message');
});

test('q quits at once when attached; when embedded it asks, y stops the daemon, other keys cancel, d detaches', () => {
  assert.equal(press(initialUiState(false), { ch: 'q' }).action.kind, 'quit');
  const asked = press(initialUiState(true), { ch: 'q' });
  assert.equal(asked.state.confirmQuit, true);
  assert.equal(asked.action.kind, 'none');
  assert.equal(press(asked.state, { ch: 'y' }).action.kind, 'stop-daemon');
  const no = press(asked.state, { ch: 'n' });
  assert.equal(no.action.kind, 'message');
  assert.equal(no.state.confirmQuit, false);
  assert.equal(press(initialUiState(true), { ch: 'd' }).action.kind, 'detach');
  assert.equal(press(initialUiState(false), { ch: 'd' }).action.kind, 'message');
  assert.equal(press(initialUiState(false), { name: 'c', ctrl: true }).action.kind, 'quit');
});

test('/ edits the filter: typed characters, backspace, Enter keeps, Esc clears; keys do not act while typing', () => {
  const typed = press(
    initialUiState(false),
    { ch: '/' },
    { ch: 'w' },
    { ch: 'x' },
    { name: 'backspace' },
    { ch: 'c' },
    { ch: 'q' },
  );
  assert.equal(typed.state.filter, 'wcq');
  assert.equal(typed.action.kind, 'none');
  const kept = press(typed.state, { name: 'enter' });
  assert.equal(kept.state.filterEditing, false);
  assert.equal(kept.state.filter, 'wcq');
  assert.equal(press(typed.state, { name: 'escape' }).state.filter, '');
});

test('l toggles the log pane and w the selected-worker log filter', () => {
  const s = press(initialUiState(false), { ch: 'l' }, { ch: 'w' }).state;
  assert.equal(s.logVisible, false);
  assert.equal(s.logOnlySelected, true);
});

test('on an autoscaled worker +/- pin the count and a resumes autoscaling; a elsewhere says why not', () => {
  const scaled = snapshot({ programs: [program('reverse', 3, { autoscale: autoscale() }), program('wc', 1)] });
  const r = processRows(scaled, '');
  const s0 = initialUiState(false);
  assert.deepEqual(reduceKey(s0, { ch: '+' }, r, scaled.programs).action, {
    kind: 'control',
    method: 'scale',
    params: { name: 'reverse', instances: 4 },
    label: 'pin reverse at 4 (a: resume autoscaling)',
  });
  assert.deepEqual(reduceKey(s0, { ch: 'a' }, r, scaled.programs).action, {
    kind: 'control',
    method: 'scale',
    params: { name: 'reverse', instances: 'auto' },
    label: 'resume autoscaling of reverse',
  });
  const onWc = reduceKey(s0, { ch: 'G' }, r, scaled.programs).state;
  assert.deepEqual(reduceKey(onWc, { ch: 'a' }, r, scaled.programs).action, {
    kind: 'message',
    text: 'wc is not autoscaled',
  });
});
