// ServerState over fake peers (decoding what they are sent) and a fake clock, for the unit tests.

import { encodeReq, PacketDecoder, type Packet } from '../../../src/protocol/codec.js';
import type { JobStore } from '../../../src/server/job-store.js';
import { ServerConn } from '../../../src/server/model.js';
import { ServerState } from '../../../src/server/server-state.js';
import { ManualClock } from '../../../src/shared/clock.js';

/** The shared ManualClock, started at a realistic Unix time (epoch jobs compare against it). */
export class FakeClock extends ManualClock {
  constructor() {
    super(1_000_000_000_000);
  }
  get pending(): number {
    return this.pendingTimers;
  }
}

export class Peer {
  private readonly decoder = new PacketDecoder();
  received: Packet[] = [];
  write(chunk: Buffer) {
    for (const f of this.decoder.push(Buffer.from(chunk))) if (f.kind === 'packet') this.received.push(f.packet);
  }
  end() {}
  take(): Array<[number, string]> {
    const out = this.received.map(
      (p) => [p.type, p.args.map((a) => a.toString('latin1')).join('|')] as [number, string],
    );
    this.received = [];
    return out;
  }
}

export function setup(jobRetries = 0, store?: JobStore, makeStore?: (clock: FakeClock) => JobStore) {
  const clock = new FakeClock();
  const state = new ServerState({ handlePrefix: 'H:t', clock, jobRetries, store: store ?? makeStore?.(clock) });
  void state.open();
  let fd = 0;
  const conn = () => {
    const peer = new Peer();
    const c = new ServerConn(peer, ++fd, '127.0.0.1');
    state.connect(c);
    const send = (type: number, ...args: string[]) => {
      const bytes = encodeReq(type, ...args);
      for (const f of new PacketDecoder().push(bytes)) if (f.kind === 'packet') state.receive(c, f.packet);
    };
    return { c, peer, send };
  };
  return { clock, state, conn };
}
