// The pure worker-connection reducer: registration, grab/sleep/wake cycle, reconnect backoff effects.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketType } from '../../../src/protocol/packet-types.js';
import type { Packet } from '../../../src/protocol/codec.js';
import {
  INITIAL_LINK_STATE,
  SERVER_TIMEOUT_MARGIN_MS,
  reduceLink,
  wantsGrab,
  type LinkEvent,
  type LinkState,
  type Registration,
} from '../../../src/worker/connection-fsm.js';
import { itemAt } from '../../helpers/defined.js';

const reg: Registration = { clientId: 'host:w:0:1', functions: [{ name: 'f', timeoutMs: null }] };
const pkt = (type: number, ...args: string[]): LinkEvent => ({
  type: 'packet',
  packet: { magic: 'RES', type, args: args.map((a) => Buffer.from(a)) } as Packet,
});
const sends = (effects: ReturnType<typeof reduceLink>['effects']) =>
  effects.filter((e) => e.kind === 'send').map((e) => (e.kind === 'send' ? [e.type, ...e.args.map(String)] : []));

function run(events: LinkEvent[], state: LinkState = INITIAL_LINK_STATE, r = reg) {
  const all: ReturnType<typeof reduceLink>['effects'] = [];
  for (const ev of events) {
    const out = reduceLink(state, ev, r);
    state = out.state;
    all.push(...out.effects);
  }
  return { state, effects: all };
}

test('start -> connecting -> ready sends SET_CLIENT_ID and CAN_DO, and is awake', () => {
  const { state, effects } = run([{ type: 'start' }, { type: 'connected' }]);
  assert.deepEqual(state, { phase: 'ready', outstanding: 0, awake: true });
  assert.equal(itemAt(effects, 0, 'effects').kind, 'connect');
  assert.deepEqual(sends(effects), [
    [PacketType.SET_CLIENT_ID, 'host:w:0:1'],
    [PacketType.CAN_DO, 'f'],
  ]);
  assert.ok(effects.some((e) => e.kind === 'report' && e.connected && e.registered));
});

test('a timeout registers CAN_DO_TIMEOUT in ms with a margin so our own timer fires first', () => {
  const r: Registration = { clientId: 'c', functions: [{ name: 'f', timeoutMs: 2500 }] };
  const { effects } = run([{ type: 'start' }, { type: 'connected' }], INITIAL_LINK_STATE, r);
  assert.deepEqual(sends(effects)[1], [PacketType.CAN_DO_TIMEOUT, 'f', String(2500 + SERVER_TIMEOUT_MARGIN_MS)]);
});

test('grant -> GRAB_JOB_UNIQ; NO_JOB -> PRE_SLEEP only after the last outstanding grab; NOOP wakes', () => {
  let { state } = run([{ type: 'start' }, { type: 'connected' }]);
  let out = run([{ type: 'grant' }, { type: 'grant' }], state);
  assert.deepEqual(sends(out.effects), [[PacketType.GRAB_JOB_UNIQ], [PacketType.GRAB_JOB_UNIQ]]);
  assert.deepEqual(out.state, { phase: 'ready', outstanding: 2, awake: true });
  out = run([pkt(PacketType.NO_JOB)], out.state);
  assert.deepEqual(sends(out.effects), []);
  assert.equal(wantsGrab(out.state), false);
  out = run([pkt(PacketType.NO_JOB)], out.state);
  assert.deepEqual(sends(out.effects), [[PacketType.PRE_SLEEP]]);
  state = out.state;
  assert.deepEqual(run([{ type: 'grant' }], state).effects, [], 'asleep: a grant does nothing');
  out = run([pkt(PacketType.NOOP), { type: 'grant' }], state);
  assert.deepEqual(sends(out.effects), [[PacketType.GRAB_JOB_UNIQ]]);
});

test('JOB_ASSIGN_UNIQ runs the job with copied fields and stays awake', () => {
  const { state } = run([{ type: 'start' }, { type: 'connected' }, { type: 'grant' }]);
  const out = run([pkt(PacketType.JOB_ASSIGN_UNIQ, 'H:x:1', 'f', 'u1', 'pay\0load')], state);
  assert.deepEqual(out.state, { phase: 'ready', outstanding: 0, awake: true });
  const job = out.effects.find((e) => e.kind === 'run-job');
  assert.ok(job && job.kind === 'run-job');
  assert.deepEqual(
    { ...job.job, payload: job.job.payload.toString() },
    { handle: 'H:x:1', function: 'f', unique: 'u1', payload: 'pay\0load' },
  );
});

test('connect failure and loss go to backoff with growing attempts; reconnect re-registers', () => {
  let out = run([{ type: 'start' }, { type: 'connect-failed', error: 'ECONNREFUSED' }]);
  assert.deepEqual(out.state, { phase: 'backoff', attempt: 0 });
  out = run([{ type: 'retry-due' }, { type: 'connect-failed', error: 'x' }], out.state);
  assert.deepEqual(out.state, { phase: 'backoff', attempt: 1 });
  assert.ok(out.effects.some((e) => e.kind === 'schedule-retry' && e.attempt === 1));
  out = run(
    [{ type: 'retry-due' }, { type: 'connected' }, { type: 'grant' }, { type: 'lost', error: 'reset' }],
    out.state,
  );
  assert.deepEqual(out.state, { phase: 'backoff', attempt: 0 }, 'a lost connection retries quickly again');
  assert.ok(out.effects.some((e) => e.kind === 'jobs-orphaned'));
  out = run([{ type: 'retry-due' }, { type: 'connected' }], out.state);
  assert.deepEqual(
    sends(out.effects).map((s) => s[0]),
    [PacketType.SET_CLIENT_ID, PacketType.CAN_DO],
  );
});

test('close is terminal from any state; ERROR packets are reported, not fatal', () => {
  const { state } = run([{ type: 'start' }, { type: 'connected' }]);
  const err = run([pkt(PacketType.ERROR, 'JOB_NOT_FOUND', 'gone')], state);
  assert.deepEqual(err.state, state);
  assert.deepEqual(err.effects, [{ kind: 'server-error', code: 'JOB_NOT_FOUND', text: 'gone' }]);
  const closed = run([{ type: 'close' }, { type: 'start' }, { type: 'retry-due' }], state);
  assert.deepEqual(closed.state, { phase: 'closed' });
  assert.ok(closed.effects.some((e) => e.kind === 'disconnect'));
  assert.equal(closed.effects.filter((e) => e.kind === 'connect').length, 0);
});
