// PURE registration checks: which job servers list an instance's client id in their `workers` reply,
// and what to do about an instance whose registration vanished (re-register first, then restart).

import type { WorkerLine } from '../protocol/admin-text.js';

/** Per server: its `workers` lines, or null when it could not be polled (unreachable). */
export type WorkersByServer = Map<string, WorkerLine[] | null>;

/** Client ids seen per server, for O(1) lookups per instance. */
export function clientIdSets(workers: WorkersByServer): Map<string, Set<string> | null> {
  const out = new Map<string, Set<string> | null>();
  for (const [server, lines] of workers) {
    // A connection that registered no function (an admin poller, a client) does not count.
    out.set(server, lines ? new Set(lines.filter((l) => l.functions.length > 0).map((l) => l.clientId)) : null);
  }
  return out;
}

export interface RegistrationCount {
  registeredOn: number;
  /** Servers that answered the poll (only these can be checked). */
  reachable: number;
}

export function countRegistration(
  clientId: string | null,
  sets: Map<string, Set<string> | null>,
  servers: string[],
): RegistrationCount {
  let registeredOn = 0;
  let reachable = 0;
  for (const s of servers) {
    const set = sets.get(s);
    if (!set) continue;
    reachable++;
    if (clientId !== null && set.has(clientId)) registeredOn++;
  }
  return { registeredOn, reachable };
}

export interface RegistrationTrack {
  /** Fully registered (on every reachable server) at least once since it was spawned. */
  everRegistered: boolean;
  missingSinceMs: number | null;
  reregisteredAtMs: number | null;
}

export interface RegistrationPolicy {
  /** Missing this long: ask the worker to send CAN_DO again. */
  reregisterAfterMs: number;
  /** Still missing this long after the re-register request: restart the instance. */
  restartAfterMs: number;
}

export const DEFAULT_REGISTRATION_POLICY: RegistrationPolicy = { reregisterAfterMs: 3000, restartAfterMs: 4000 };

export type RegistrationAction = 'none' | 'reregister' | 'restart';

/**
 * Decides for one RUNNING instance. Unreachable servers are not counted: a job server that is down is
 * not the worker's fault. Only a registration that existed and vanished triggers anything (programs
 * that do not set a client id, like some PHP workers, are never matched and never acted on).
 */
export function checkRegistration(
  track: RegistrationTrack,
  count: RegistrationCount,
  now: number,
  policy = DEFAULT_REGISTRATION_POLICY,
): { track: RegistrationTrack; action: RegistrationAction } {
  if (count.reachable === 0 || count.registeredOn >= count.reachable) {
    return {
      track: {
        everRegistered: track.everRegistered || count.reachable > 0,
        missingSinceMs: null,
        reregisteredAtMs: null,
      },
      action: 'none',
    };
  }
  if (!track.everRegistered) return { track, action: 'none' };
  const missingSinceMs = track.missingSinceMs ?? now;
  if (track.reregisteredAtMs === null) {
    if (now - missingSinceMs >= policy.reregisterAfterMs)
      return { track: { ...track, missingSinceMs, reregisteredAtMs: now }, action: 'reregister' };
    return { track: { ...track, missingSinceMs }, action: 'none' };
  }
  if (now - track.reregisteredAtMs >= policy.restartAfterMs)
    return { track: { everRegistered: false, missingSinceMs: null, reregisteredAtMs: null }, action: 'restart' };
  return { track: { ...track, missingSinceMs }, action: 'none' };
}
