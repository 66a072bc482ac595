// PURE reducer for one worker connection to one job server: (state, event) -> {state, effects}.
// No sockets or timers here; `server-link.ts` performs the effects. Capacity is decided outside:
// the runtime hands out one `grant` per grab it can afford (never more grabs than free slots).
//
// States:
//   idle        created, not started                       start -> connecting
//   connecting  a TCP connect is in progress               connected -> ready | connect-failed -> backoff
//   backoff     waiting `attempt`'s delay before retrying  retry-due -> connecting
//   ready       registered (SET_CLIENT_ID, CAN_DO* sent)   lost -> backoff; packets and grants handled
//               outstanding = GRAB_JOB_UNIQs without reply; awake = the server may have work for us
//               (just registered, NOOP, or a job was just assigned), so a grant turns into a grab
//   closed      terminal (stop); every event is ignored

import { PacketType } from '../protocol/packet-types.js';
import type { Packet } from '../protocol/codec.js';
import { packetArgs } from '../transport/packet-args.js';

export interface Registration {
  clientId: string;
  functions: Array<{ name: string; timeoutMs: number | null }>;
}

export type LinkState =
  | { phase: 'idle' }
  | { phase: 'connecting'; attempt: number }
  | { phase: 'backoff'; attempt: number }
  | { phase: 'ready'; outstanding: number; awake: boolean }
  | { phase: 'closed' };

export type LinkEvent =
  | { type: 'start' }
  | { type: 'connected' }
  | { type: 'connect-failed'; error: string }
  | { type: 'retry-due' }
  | { type: 'lost'; error: string }
  | { type: 'packet'; packet: Packet }
  | { type: 'grant' }
  | { type: 'reregister' }
  | { type: 'close' };

export interface AssignedJob {
  handle: string;
  function: string;
  unique: string;
  payload: Buffer;
}

export type LinkEffect =
  | { kind: 'connect' }
  | { kind: 'send'; type: number; args: Array<string | Buffer> }
  /** Retry number `attempt` (0-based) after its backoff delay. */
  | { kind: 'schedule-retry'; attempt: number }
  | { kind: 'cancel-retry' }
  | { kind: 'disconnect' }
  | { kind: 'run-job'; job: AssignedJob }
  /** The connection is gone: jobs it assigned can no longer report (the server re-queues them). */
  | { kind: 'jobs-orphaned' }
  | { kind: 'report'; connected: boolean; registered: boolean; error?: string }
  | { kind: 'server-error'; code: string; text: string }
  | { kind: 'unexpected'; packetType: number };

export interface Transition {
  state: LinkState;
  effects: LinkEffect[];
}

/**
 * Server-side CAN_DO_TIMEOUT is a backstop for a hung worker: gearmand re-queues the job when it fires
 * (reading the value as ms). Our own timer must win so the client gets a failure, not a silent re-run.
 */
export const SERVER_TIMEOUT_MARGIN_MS = 1000;

export const INITIAL_LINK_STATE: LinkState = { phase: 'idle' };

export function wantsGrab(state: LinkState): boolean {
  return state.phase === 'ready' && state.awake;
}

export function outstandingGrabs(state: LinkState): number {
  return state.phase === 'ready' ? state.outstanding : 0;
}

export function registrationPackets(reg: Registration): LinkEffect[] {
  const out: LinkEffect[] = [{ kind: 'send', type: PacketType.SET_CLIENT_ID, args: [reg.clientId] }];
  for (const fn of reg.functions) {
    if (fn.timeoutMs !== null && fn.timeoutMs > 0) {
      const serverMs = Math.ceil(fn.timeoutMs) + SERVER_TIMEOUT_MARGIN_MS;
      out.push({ kind: 'send', type: PacketType.CAN_DO_TIMEOUT, args: [fn.name, String(serverMs)] });
    } else {
      out.push({ kind: 'send', type: PacketType.CAN_DO, args: [fn.name] });
    }
  }
  return out;
}

const same = (state: LinkState): Transition => ({ state, effects: [] });

export function reduceLink(state: LinkState, event: LinkEvent, reg: Registration): Transition {
  if (state.phase === 'closed') return same(state);
  if (event.type === 'close') {
    // any -> closed
    const effects: LinkEffect[] = [{ kind: 'cancel-retry' }, { kind: 'disconnect' }];
    if (state.phase === 'ready')
      effects.push({ kind: 'jobs-orphaned' }, { kind: 'report', connected: false, registered: false });
    return { state: { phase: 'closed' }, effects };
  }
  switch (state.phase) {
    case 'idle':
      // idle -> connecting
      if (event.type === 'start') return { state: { phase: 'connecting', attempt: 0 }, effects: [{ kind: 'connect' }] };
      return same(state);
    case 'connecting':
      if (event.type === 'connected') {
        // connecting -> ready: register, then grab as soon as a slot is granted (awake).
        return {
          state: { phase: 'ready', outstanding: 0, awake: true },
          effects: [...registrationPackets(reg), { kind: 'report', connected: true, registered: true }],
        };
      }
      if (event.type === 'connect-failed') {
        // connecting -> backoff
        return {
          state: { phase: 'backoff', attempt: state.attempt },
          effects: [
            { kind: 'schedule-retry', attempt: state.attempt },
            { kind: 'report', connected: false, registered: false, error: event.error },
          ],
        };
      }
      return same(state);
    case 'backoff':
      // backoff -> connecting
      if (event.type === 'retry-due')
        return { state: { phase: 'connecting', attempt: state.attempt + 1 }, effects: [{ kind: 'connect' }] };
      return same(state);
    case 'ready':
      return reduceReady(state, event, reg);
  }
}

function reduceReady(state: Extract<LinkState, { phase: 'ready' }>, event: LinkEvent, reg: Registration): Transition {
  switch (event.type) {
    case 'lost':
      // ready -> backoff: the first retry comes quickly, a restarted server must see us within 1 s.
      return {
        state: { phase: 'backoff', attempt: 0 },
        effects: [
          { kind: 'jobs-orphaned' },
          { kind: 'schedule-retry', attempt: 0 },
          { kind: 'report', connected: false, registered: false, error: event.error },
        ],
      };
    case 'grant':
      if (!state.awake) return same(state);
      return {
        state: { ...state, outstanding: state.outstanding + 1 },
        effects: [{ kind: 'send', type: PacketType.GRAB_JOB_UNIQ, args: [] }],
      };
    case 'reregister':
      return { state, effects: registrationPackets(reg).slice(1) };
    case 'packet':
      return onPacket(state, event.packet);
    default:
      return same(state);
  }
}

function onPacket(state: Extract<LinkState, { phase: 'ready' }>, packet: Packet): Transition {
  switch (packet.type) {
    case PacketType.NOOP:
      return same({ ...state, awake: true });
    case PacketType.NO_JOB: {
      const outstanding = Math.max(0, state.outstanding - 1);
      // Sleep only once every grab is answered; a later JOB_ASSIGN in the same burst wakes us again.
      if (outstanding === 0) {
        return {
          state: { phase: 'ready', outstanding, awake: false },
          effects: [{ kind: 'send', type: PacketType.PRE_SLEEP, args: [] }],
        };
      }
      return same({ phase: 'ready', outstanding, awake: false });
    }
    case PacketType.JOB_ASSIGN_UNIQ: {
      const [handle, fn, unique, payload] = packetArgs(packet, 4);
      const job: AssignedJob = {
        handle: handle.toString('latin1'),
        function: fn.toString('utf8'),
        unique: unique.toString('utf8'),
        // Decoded args are views into the (reused) read buffer unless the packet owns its memory.
        payload: packet.owned ? payload : Buffer.from(payload),
      };
      return {
        state: { phase: 'ready', outstanding: Math.max(0, state.outstanding - 1), awake: true },
        effects: [{ kind: 'run-job', job }],
      };
    }
    case PacketType.ERROR:
      return {
        state,
        effects: [
          {
            kind: 'server-error',
            code: packet.args[0]?.toString('latin1') ?? '',
            text: packet.args[1]?.toString('utf8') ?? '',
          },
        ],
      };
    default:
      return { state, effects: [{ kind: 'unexpected', packetType: packet.type }] };
  }
}
