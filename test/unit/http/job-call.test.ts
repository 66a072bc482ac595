// The submission state machine (SENT -> RUNNING -> DONE) and how outcomes are answered: gearmand's shape
// on its routes, JSON with outcome status codes on /v1.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Packet } from '../../../src/protocol/codec.js';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { type CallState, type Outcome, startCall, stepCall } from '../../../src/http/job-call.js';
import { gearmandAnswer, jsonOutcomeAnswer } from '../../../src/http/render.js';

const pkt = (type: number, ...args: Array<string | Buffer>): Packet => ({
  magic: 'RES',
  type,
  args: args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)),
});

/** Feeds packets in order; returns the outcome and how many effects of each kind were asked for. */
function run(background: boolean, packets: Packet[], max = 1024): { outcome: Outcome | null; closes: number } {
  let state: CallState = startCall(background);
  let outcome: Outcome | null = null;
  let closes = 0;
  for (const p of packets) {
    const step = stepCall(state, { type: 'packet', packet: p }, max);
    state = step.state;
    for (const e of step.effects) {
      if (e.type === 'respond') {
        assert.equal(outcome, null, 'one outcome only');
        outcome = e.outcome;
      } else closes++;
    }
  }
  return { outcome, closes };
}

describe('job call', () => {
  test('foreground: OPTION_RES skipped, data/warning/status collected, then the result', () => {
    const { outcome, closes } = run(false, [
      pkt(T.OPTION_RES, 'exceptions'),
      pkt(T.JOB_CREATED, 'H:x:1'),
      pkt(T.WORK_STATUS, 'H:x:1', '1', '2'),
      pkt(T.WORK_DATA, 'H:x:1', 'chunk1'),
      pkt(T.WORK_WARNING, 'H:x:1', 'careful'),
      pkt(T.WORK_DATA, 'H:x:2', 'other job: ignored'),
      pkt(T.WORK_DATA, 'H:x:1', 'chunk2'),
      pkt(T.WORK_COMPLETE, 'H:x:1', 'final'),
      pkt(T.WORK_COMPLETE, 'H:x:1', 'after the end: ignored'),
    ]);
    assert.equal(closes, 1);
    assert.ok(outcome?.status === 'complete');
    assert.equal(outcome.result.toString(), 'final');
    assert.deepEqual(outcome.collected.data.map(String), ['chunk1', 'chunk2']);
    assert.deepEqual(outcome.collected.warnings.map(String), ['careful']);
    assert.deepEqual(outcome.collected.progress, [1, 2]);
    const g = gearmandAnswer(outcome);
    assert.equal(g.status, 200);
    assert.equal(g.headers['X-Gearman-Command'], 'WORK_COMPLETE');
    assert.equal(g.body.toString(), 'chunk1chunk2final');
  });

  test('background: JOB_CREATED ends it as queued; ERROR ends it as rejected', () => {
    const q = run(true, [pkt(T.JOB_CREATED, 'H:x:7')]);
    assert.deepEqual(q.outcome, { status: 'queued', handle: 'H:x:7' });
    const j = jsonOutcomeAnswer(q.outcome!, false);
    assert.equal(j.status, 202);
    const r = run(true, [pkt(T.ERROR, 'QUEUE_ERROR', 'Job store failed: the job was not stored')]);
    assert.ok(r.outcome?.status === 'rejected' && r.outcome.code === 'QUEUE_ERROR');
    for (const a of [gearmandAnswer(r.outcome), jsonOutcomeAnswer(r.outcome, false)]) {
      assert.equal(a.status, 503);
      assert.equal(a.headers['Retry-After'], '1');
      assert.equal(a.headers['X-Gearman-Error'], 'QUEUE_ERROR');
    }
    const big = run(false, [pkt(T.ERROR, 'ARGUMENT_TOO_LARGE', 'Unique value too large')]);
    assert.equal(gearmandAnswer(big.outcome!).status, 400);
  });

  test('fail and exception: 200 with the command on gearmand routes, 502 with the text in JSON', () => {
    const f = run(false, [pkt(T.JOB_CREATED, 'H:x:3'), pkt(T.WORK_FAIL, 'H:x:3')]).outcome!;
    assert.equal(gearmandAnswer(f).headers['X-Gearman-Job-Handle'], 'H:x:3'); // whole, unlike gearmand's
    assert.equal(gearmandAnswer(f).headers['X-Gearman-Command'], 'WORK_FAIL');
    assert.equal(jsonOutcomeAnswer(f, false).status, 502);
    const e = run(false, [pkt(T.JOB_CREATED, 'H:x:4'), pkt(T.WORK_EXCEPTION, 'H:x:4', 'boom')]).outcome!;
    assert.equal(gearmandAnswer(e).body.toString(), 'boom');
    const body = JSON.parse(jsonOutcomeAnswer(e, false).body.toString());
    assert.deepEqual([body.status, body.result, body.encoding], ['exception', 'boom', 'utf8']);
  });

  test('binary results are base64 in JSON, and base64 can be forced', () => {
    const o = run(false, [pkt(T.JOB_CREATED, 'H:x:5'), pkt(T.WORK_COMPLETE, 'H:x:5', Buffer.from([0xff, 0x00]))])
      .outcome!;
    const body = JSON.parse(jsonOutcomeAnswer(o, false).body.toString());
    assert.deepEqual([body.result, body.encoding], ['/wA=', 'base64']);
    const t = run(false, [pkt(T.JOB_CREATED, 'H:x:6'), pkt(T.WORK_COMPLETE, 'H:x:6', 'text')]).outcome!;
    assert.equal(JSON.parse(jsonOutcomeAnswer(t, true).body.toString()).result, 'dGV4dA==');
  });

  test('timeout, client gone, and a stream over the limit', () => {
    let s: CallState = startCall(false);
    s = stepCall(s, { type: 'packet', packet: pkt(T.JOB_CREATED, 'H:x:8') }, 10).state;
    const timeout = stepCall(s, { type: 'timeout' }, 10);
    assert.deepEqual(
      timeout.effects.map((e) => e.type),
      ['respond', 'close'],
    );
    assert.equal(gearmandAnswer((timeout.effects[0] as { outcome: Outcome }).outcome).status, 504);
    assert.deepEqual(
      stepCall(s, { type: 'client-gone' }, 10).effects.map((e) => e.type),
      ['close'],
    );
    assert.deepEqual(stepCall({ kind: 'DONE' }, { type: 'timeout' }, 10).effects, []);
    const big = run(false, [pkt(T.JOB_CREATED, 'H:x:9'), pkt(T.WORK_DATA, 'H:x:9', 'x'.repeat(11))], 10);
    assert.equal(big.outcome?.status, 'too-large');
    assert.equal(jsonOutcomeAnswer(big.outcome!, false).status, 502);
  });
});
