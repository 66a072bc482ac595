// Drives `gmsup server --store URL` as a real process for the store tests: start, kill -9, restart;
// a pipelined background submitter that records which jobs were acknowledged (JOB_CREATED) and which
// were refused (ERROR); a worker that drains jobs and records their payloads; admin text commands.

import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { encodeReq, type Packet, PacketDecoder } from '../../../src/protocol/codec.js';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { listeningPort, runServer } from '../../helpers/gmsup-server.js';
import { waitFor } from '../../helpers/wait-for.js';

type After = { after(fn: () => void | Promise<void>): void };

export interface ServerProc {
  port: number;
  child: ChildProcess;
  stderr(): string;
  exit: Promise<number | null>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export { runServer } from '../../helpers/gmsup-server.js';

export async function startStoreServer(t: After, store: string, port = 0): Promise<ServerProc> {
  const run = runServer(t, ['--listen', `127.0.0.1:${port}`, '--store', store]);
  return {
    port: await listeningPort(run, 60_000),
    child: run.child,
    stderr: run.err,
    exit: run.exit,
    kill9: async () => {
      run.child.kill('SIGKILL');
      await run.exit;
    },
    stop: async () => {
      run.child.kill('SIGTERM');
      await run.exit;
    },
  };
}

/** One Gearman connection reading packets in order. */
export class Peer {
  private readonly decoder = new PacketDecoder();
  private readonly packets: Packet[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true); // back-to-back small packets must not wait for a delayed ACK
    socket.on('data', (d: Buffer) => {
      for (const f of this.decoder.push(d)) if (f.kind === 'packet') this.packets.push(f.packet);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new Peer(s)));
      s.once('error', reject);
    });
  }

  send(type: number, ...args: Array<string | Buffer>): void {
    this.socket.write(encodeReq(type, ...args));
  }

  /** The next packet, or null once the connection closed without one. */
  async next(timeoutMs = 30_000): Promise<Packet | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.packets.length === 0) {
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error(`no packet within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.packets.shift() ?? null;
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface SubmitResult {
  /** payload -> handle, for every job acknowledged with JOB_CREATED. */
  acked: Map<string, string>;
  /** Payloads answered with an ERROR packet. */
  refused: string[];
  /** Sent but unanswered when the connection closed. */
  unanswered: string[];
}

/** Submits SUBMIT_JOB_BG for each payload, `window` in flight; stops early at `stop()`. */
export async function submitMany(
  port: number,
  fn: string,
  payloads: string[],
  options: { window?: number; type?: number; stop?: () => boolean } = {},
): Promise<SubmitResult> {
  const peer = await Peer.open(port);
  const window = options.window ?? 64;
  const result: SubmitResult = { acked: new Map(), refused: [], unanswered: [] };
  let sent = 0;
  let answered = 0;
  try {
    while (answered < payloads.length) {
      while (sent < payloads.length && sent - answered < window && !(options.stop?.() ?? false)) {
        peer.send(options.type ?? T.SUBMIT_JOB_BG, fn, '', payloads[sent]!);
        sent++;
      }
      if (sent === answered) break;
      const p = await peer.next();
      if (p === null) {
        result.unanswered.push(...payloads.slice(answered, sent));
        break;
      }
      const payload = payloads[answered++]!;
      if (p.type === T.JOB_CREATED) result.acked.set(payload, p.args[0]!.toString());
      else if (p.type === T.ERROR) result.refused.push(payload);
      else throw new Error(`unexpected reply type ${p.type}`);
    }
  } finally {
    peer.close();
  }
  return result;
}

/** A worker for `fn`: GRAB_JOB/WORK_COMPLETE until NO_JOB (or `max` jobs, or the connection drops). */
export async function drain(port: number, fn: string, max = Number.POSITIVE_INFINITY): Promise<string[]> {
  const peer = await Peer.open(port);
  const done: string[] = [];
  try {
    peer.send(T.CAN_DO, fn);
    while (done.length < max) {
      peer.send(T.GRAB_JOB);
      const p = await peer.next();
      if (p === null || p.type === T.NO_JOB) break;
      if (p.type !== T.JOB_ASSIGN) throw new Error(`unexpected reply type ${p.type}`);
      const [handle, , data] = p.args;
      peer.send(T.WORK_COMPLETE, handle!, '');
      done.push(data!.toString());
    }
  } finally {
    peer.close();
  }
  return done;
}

/** One admin command's reply text up to its "." line (or first line for one-line replies). */
export async function admin(port: number, line: string): Promise<string> {
  const s = net.connect({ host: '127.0.0.1', port });
  let buf = '';
  s.setEncoding('latin1');
  s.on('data', (d: string) => {
    buf += d;
  });
  s.on('error', () => {});
  s.write(`${line}\n`);
  try {
    return await waitFor(() => (/(^|\n)\.\n$/.test(buf) || /^(OK|ERR)[^\n]*\n$/.test(buf) ? buf : null), {
      timeoutMs: 10_000,
      what: `admin ${line}`,
    });
  } finally {
    s.destroy();
  }
}

/** Queued + running jobs of `fn` from `status` (0 when the function is not listed). */
export async function totalJobs(port: number, fn: string): Promise<number> {
  const row = (await admin(port, 'status')).split('\n').find((l) => l.startsWith(`${fn}\t`));
  return row === undefined ? 0 : Number(row.split('\t')[1]);
}

export interface CrashFigures {
  acked: number;
  lost: number;
  duplicates: number;
  /** Submitted, not acknowledged before the kill, but stored anyway (they run: at-least-once). */
  storedUnacked: number;
}

/**
 * The crash contract on one store: 5,000 queued, kill -9, restart: exactly 5,000 there. Then 5,000 more
 * while a worker drains, kill -9 mid-flow, restart, drain all: every acknowledged job ran (0 lost);
 * duplicates (finished, delete not yet committed) are counted.
 */
export async function crashScenario(t: After, store: string, log: (line: string) => void): Promise<CrashFigures> {
  const fn = 'crash';
  let server = await startStoreServer(t, store);
  const first = Array.from({ length: 5000 }, (_, i) => `a${i}`);
  const sub1 = await submitMany(server.port, fn, first);
  if (sub1.acked.size !== 5000) throw new Error(`only ${sub1.acked.size} of 5000 acknowledged`);
  await server.kill9();
  server = await startStoreServer(t, store);
  const afterFirst = await totalJobs(server.port, fn);
  if (afterFirst !== 5000) throw new Error(`after kill -9 and restart ${afterFirst} of 5000 queued jobs are there`);

  // Jobs flow: a submitter and a worker at once; kill -9 once 2,500 new ones are acknowledged.
  const second = Array.from({ length: 5000 }, (_, i) => `b${i}`);
  let killed = false;
  const submitting = submitMany(server.port, fn, second, { window: 16, stop: () => killed });
  const ran: string[] = [];
  const draining = (async () => {
    const peer = await Peer.open(server.port);
    peer.send(T.CAN_DO, fn);
    for (;;) {
      peer.send(T.GRAB_JOB);
      const p = await peer.next();
      if (p === null || p.type !== T.JOB_ASSIGN) break;
      peer.send(T.WORK_COMPLETE, p.args[0]!, '');
      ran.push(p.args[2]!.toString());
    }
    peer.close();
  })();
  await waitFor(() => ran.length >= 2000, { timeoutMs: 120_000, what: '2000 jobs run before the kill' });
  killed = true;
  await server.kill9();
  const sub2 = await submitting;
  await draining;
  // The last completions the worker sent may not have reached the dead server: those jobs run again.
  server = await startStoreServer(t, store);
  const rest = await drain(server.port, fn);
  const acked = new Set([...first, ...sub2.acked.keys()]);
  const counts = new Map<string, number>();
  for (const p of [...ran, ...rest]) counts.set(p, (counts.get(p) ?? 0) + 1);
  let lost = 0;
  for (const p of acked) if (!counts.has(p)) lost++;
  let duplicates = 0;
  for (const n of counts.values()) duplicates += n - 1;
  let storedUnacked = 0;
  for (const p of counts.keys()) if (!acked.has(p)) storedUnacked++;
  log(
    `${store.split(':')[0]}: ${acked.size} acknowledged, ${ran.length} ran before kill -9, ` +
      `${rest.length} after restart: ${lost} lost, ${duplicates} duplicates, ` +
      `${storedUnacked} stored but not acknowledged`,
  );
  await server.stop();
  return { acked: acked.size, lost, duplicates, storedUnacked };
}
