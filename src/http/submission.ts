// Runs one HTTP submission through an in-process connection to the server logic: the same SUBMIT_*
// packet a binary client would send (after OPTION_REQ exceptions when asked), its replies fed to the
// job-call state machine, a timer for the request's timeout, and the end of the connection.

import { PacketType as T } from '../protocol/packet-types.js';
import type { LocalGateway } from '../server/index.js';
import { type CallEvent, type Outcome, startCall, stepCall } from './job-call.js';
import type { PriorityName, SubmitOptions } from './submit-options.js';

const SUBMIT_TYPES: Record<PriorityName, [number, number]> = {
  high: [T.SUBMIT_JOB_HIGH, T.SUBMIT_JOB_HIGH_BG],
  normal: [T.SUBMIT_JOB, T.SUBMIT_JOB_BG],
  low: [T.SUBMIT_JOB_LOW, T.SUBMIT_JOB_LOW_BG],
};

const EXCEPTIONS = Buffer.from('exceptions');

export interface Submission {
  /** The outcome, or null when the client went away first. */
  readonly outcome: Promise<Outcome | null>;
  /** The HTTP client disconnected: end the connection (a queued foreground job is dropped). */
  clientGone(): void;
}

export function submit(
  gw: LocalGateway,
  opts: SubmitOptions,
  payload: Buffer,
  peer: { ip: string; fd: number },
  maxCollectedBytes: number,
): Submission {
  let state = startCall(opts.background);
  let timer: NodeJS.Timeout | null = null;
  let settle!: (o: Outcome | null) => void;
  const outcome = new Promise<Outcome | null>((resolve) => {
    settle = resolve;
  });
  const conn = gw.open((packet) => apply({ type: 'packet', packet }), peer.ip, peer.fd);

  function apply(event: CallEvent): void {
    const step = stepCall(state, event, maxCollectedBytes);
    state = step.state;
    for (const e of step.effects) {
      if (e.type === 'respond') {
        settle(e.outcome);
      } else {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        conn.close();
        settle(null); // no-op when an outcome was settled just before
      }
    }
  }

  // Background submissions get the timer too: a durable store holds JOB_CREATED until its commit.
  timer = setTimeout(() => apply({ type: 'timeout' }), opts.timeoutMs);
  if (opts.exceptions) conn.request(T.OPTION_REQ, [EXCEPTIONS]);
  const type = SUBMIT_TYPES[opts.priority][opts.background ? 1 : 0];
  conn.request(type, [opts.fn, opts.unique, payload]);
  return { outcome, clientGone: () => apply({ type: 'client-gone' }) };
}

/** GET_STATUS or GET_STATUS_UNIQUE through an in-process connection: the STATUS_RES* arguments. */
export function queryStatus(
  gw: LocalGateway,
  type: typeof T.GET_STATUS | typeof T.GET_STATUS_UNIQUE,
  key: Buffer,
  peer: { ip: string; fd: number },
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const conn = gw.open(
      (packet) => {
        conn.close();
        if (packet.type === T.STATUS_RES || packet.type === T.STATUS_RES_UNIQUE) resolve(packet.args);
        else reject(new Error(`unexpected reply ${packet.type} to a status request`));
      },
      peer.ip,
      peer.fd,
    );
    conn.request(type, [key]);
  });
}
