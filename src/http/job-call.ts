// One HTTP submission as a state machine over the reply packets of its in-process connection: SENT
// (waiting for JOB_CREATED or ERROR) -> RUNNING (a foreground job: collecting WORK_DATA, WORK_WARNING,
// WORK_STATUS) -> DONE with exactly one outcome. Pure: the reducer returns effects for the I/O side.

import type { Packet } from '../protocol/codec.js';
import { PacketType as T } from '../protocol/packet-types.js';

export interface Collected {
  data: Buffer[];
  warnings: Buffer[];
  /** The last WORK_STATUS as [numerator, denominator]. */
  progress: [number, number] | null;
  /** Bytes of data + warnings held so far. */
  bytes: number;
}

/**
 * How a submission ended. `status` is what /v1 answers in JSON:
 *   complete   WORK_COMPLETE: `result` is the worker's result
 *   failed     WORK_FAIL (from the worker or the server: retry limit, cancel)
 *   exception  WORK_EXCEPTION: `result` is the exception text
 *   queued     a background job was accepted (and committed, with a durable store)
 *   rejected   the server answered ERROR (queue full, store failing, unique too large)
 *   timeout    a foreground job did not end within the request's timeout
 *   too-large  the worker streamed more than the response limit
 */
export type Outcome =
  | { status: 'complete' | 'exception'; handle: string; result: Buffer; collected: Collected }
  | { status: 'failed'; handle: string; collected: Collected }
  | { status: 'queued'; handle: string }
  | { status: 'rejected'; code: string; text: string }
  | { status: 'timeout' | 'too-large'; handle: string | null; collected: Collected };

export type CallState =
  | { kind: 'SENT'; background: boolean }
  | { kind: 'RUNNING'; handle: string; collected: Collected }
  | { kind: 'DONE' };

export type CallEvent = { type: 'packet'; packet: Packet } | { type: 'timeout' } | { type: 'client-gone' };

/** `respond`: answer the HTTP request; `close`: end the in-process connection and its timer. */
export type CallEffect = { type: 'respond'; outcome: Outcome } | { type: 'close' };

export interface Step {
  state: CallState;
  effects: CallEffect[];
}

const empty = (): Collected => ({ data: [], warnings: [], progress: null, bytes: 0 });
const text = (b: Buffer | undefined): string => (b === undefined ? '' : b.toString('latin1'));

function finish(outcome: Outcome | null): Step {
  const effects: CallEffect[] = outcome === null ? [] : [{ type: 'respond', outcome }];
  effects.push({ type: 'close' });
  return { state: { kind: 'DONE' }, effects };
}

export function startCall(background: boolean): CallState {
  return { kind: 'SENT', background };
}

export function stepCall(state: CallState, event: CallEvent, maxCollectedBytes: number): Step {
  const stay: Step = { state, effects: [] };
  if (state.kind === 'DONE') return stay;
  if (event.type === 'client-gone') return finish(null); // * -> DONE, nobody to answer
  if (event.type === 'timeout') {
    // SENT | RUNNING -> DONE
    const handle = state.kind === 'RUNNING' ? state.handle : null;
    return finish({ status: 'timeout', handle, collected: state.kind === 'RUNNING' ? state.collected : empty() });
  }
  const p = event.packet;
  const a = p.args;
  if (p.type === T.ERROR) {
    // SENT | RUNNING -> DONE
    return finish({ status: 'rejected', code: text(a[0]), text: text(a[1]) });
  }
  if (state.kind === 'SENT') {
    if (p.type !== T.JOB_CREATED) return stay; // OPTION_RES of the exceptions option
    const handle = text(a[0]);
    // SENT -> DONE (background: the job is accepted and, with a durable store, committed)
    if (state.background) return finish({ status: 'queued', handle });
    // SENT -> RUNNING
    return { state: { kind: 'RUNNING', handle, collected: empty() }, effects: [] };
  }
  if (text(a[0]) !== state.handle) return stay;
  const c = state.collected;
  switch (p.type) {
    case T.WORK_STATUS:
      c.progress = [Number(text(a[1])) || 0, Number(text(a[2])) || 0];
      return stay;
    case T.WORK_DATA:
    case T.WORK_WARNING: {
      const chunk = a[1] ?? Buffer.alloc(0);
      c.bytes += chunk.length;
      // RUNNING -> DONE when the stream outgrows what one response may hold
      if (c.bytes > maxCollectedBytes) return finish({ status: 'too-large', handle: state.handle, collected: c });
      (p.type === T.WORK_DATA ? c.data : c.warnings).push(chunk);
      return stay;
    }
    case T.WORK_COMPLETE:
    case T.WORK_EXCEPTION: {
      const result = a[1] ?? Buffer.alloc(0);
      if (c.bytes + result.length > maxCollectedBytes) {
        return finish({ status: 'too-large', handle: state.handle, collected: c });
      }
      // RUNNING -> DONE
      const status = p.type === T.WORK_COMPLETE ? 'complete' : 'exception';
      return finish({ status, handle: state.handle, result, collected: c });
    }
    case T.WORK_FAIL:
      // RUNNING -> DONE
      return finish({ status: 'failed', handle: state.handle, collected: c });
    default:
      return stay;
  }
}
