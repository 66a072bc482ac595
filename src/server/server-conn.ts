// What the server's logic knows about one connection (client, worker or admin: Gearman does not tell
// them apart): abilities, sleep state, options, held and attached jobs. Sends go through a Peer port.

import type { FunctionEntry } from './function-entry.js';
import type { Job } from './job.js';

/** The I/O side of a connection, as the server logic sees it. */
export interface Peer {
  /** Queues bytes; the connection flushes once per tick. */
  write(chunk: Buffer): void;
  /** Closes the connection after queued bytes are flushed. */
  end(): void;
  /** A decoded view to keep beyond this packet: the view itself when that pins no foreign bytes, else a copy. */
  keep?(view: Buffer): Buffer;
}

export interface Ability {
  fn: FunctionEntry;
  /** CAN_DO_TIMEOUT in ms; 0 = none. */
  timeoutMs: number;
}

const RECENT_DONE_SLOTS = 8;

export class ServerConn {
  clientId = '-';
  exceptions = false;
  /** Sent PRE_SLEEP and was neither woken (NOOP) nor grabbed since. */
  sleeping = false;
  /** Registrations, oldest first (GRAB walks them newest first, as gearmand 1.1.20 does). */
  readonly abilities: Ability[] = [];
  /** Jobs assigned to this connection. */
  readonly held = new Set<Job>();
  /** Foreground jobs this connection waits on. */
  readonly attached = new Set<Job>();
  /** Handle numbers this connection just finished, to ignore a repeated WORK_FAIL/COMPLETE/EXCEPTION. */
  private readonly recentDone: number[] = [];
  private recentPos = 0;
  /** Last function this connection submitted to: skips the name lookup for runs of one function. */
  lastFn: FunctionEntry | null = null;
  closed = false;

  constructor(
    readonly peer: Peer,
    /** Number shown in the `workers` list (the socket's fd when known). */
    readonly fd: number,
    readonly ip: string,
  ) {}

  send(chunk: Buffer | [Buffer, Buffer]): void {
    if (this.closed) return;
    if (Array.isArray(chunk)) {
      this.peer.write(chunk[0]);
      this.peer.write(chunk[1]);
    } else {
      this.peer.write(chunk);
    }
  }

  /** Bytes of a received packet to store (job payloads): a copy unless the peer can hand over the view. */
  keep(view: Buffer): Buffer {
    return this.peer.keep !== undefined ? this.peer.keep(view) : Buffer.from(view);
  }

  ability(fn: FunctionEntry): Ability | undefined {
    for (const a of this.abilities) if (a.fn === fn) return a;
    return undefined;
  }

  rememberDone(id: number): void {
    if (this.recentDone.length < RECENT_DONE_SLOTS) this.recentDone.push(id);
    else this.recentDone[this.recentPos] = id;
    this.recentPos = (this.recentPos + 1) % RECENT_DONE_SLOTS;
  }

  justFinished(id: number): boolean {
    return this.recentDone.includes(id);
  }
}
