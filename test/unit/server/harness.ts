// ServerState over fake peers (decoding what they are sent) and a fake clock, for the unit tests.

import { encodeReq, PacketDecoder, type Packet } from '../../../src/protocol/codec.js';
import type { JobStore } from '../../../src/server/job-store.js';
import { ServerConn } from '../../../src/server/model.js';
import { ServerState, type Clock } from '../../../src/server/server-state.js';

export class FakeClock implements Clock {
  nowMs = 1_000_000_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now = () => this.nowMs;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.nowMs + ms, fn, id });
    return id as unknown as ReturnType<typeof setTimeout>;
  };
  clearTimeout = (t: ReturnType<typeof setTimeout>) => {
    this.timers = this.timers.filter((x) => x.id !== (t as unknown as number));
  };
  get pending() {
    return this.timers.length;
  }
  advance(ms: number) {
    this.nowMs += ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= this.nowMs).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((x) => x !== due);
      due.fn();
    }
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

export function setup(jobRetries = 0, store?: JobStore) {
  const clock = new FakeClock();
  const state = new ServerState({ handlePrefix: 'H:t', clock, jobRetries, store });
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
