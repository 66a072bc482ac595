// Builds Snapshots for the dashboard's unit tests: plain data, every field of the contract filled.

import type { AutoscaleInfo, InstanceInfo, ProgramInfo, ServerInfo, Snapshot } from '../../../src/control/snapshot.js';

export function instance(name: string, index: number, over: Partial<InstanceInfo> = {}): InstanceInfo {
  return {
    name,
    function: name,
    index,
    pid: 1000 + index,
    state: 'RUNNING',
    uptimeMs: 65_000,
    restarts: 0,
    cpuPercent: 1.5,
    rssBytes: 40 * 1024 * 1024,
    jobsDone: 12,
    jobsFailed: 0,
    currentJobAgeMs: null,
    lastExit: null,
    reason: null,
    registeredOn: 1,
    serverCount: 1,
    retiring: false,
    ...over,
  };
}

export function program(name: string, desired: number, over: Partial<ProgramInfo> = {}): ProgramInfo {
  return {
    name,
    function: name,
    kind: 'module',
    desired,
    configured: desired,
    scaled: false,
    stopped: false,
    autoscale: null,
    errors: 0,
    ...over,
  };
}

/** An autoscaled worker's info: 1..8, scaled up 1 -> 3 five seconds before the snapshot. */
export function autoscale(over: Partial<AutoscaleInfo> = {}): AutoscaleInfo {
  return {
    min: 1,
    max: 8,
    targetWaitMs: 2000,
    cooldownMs: 10_000,
    maxLoadPerCore: 2,
    minFreeMemoryBytes: 256 * 2 ** 20,
    pinned: false,
    queued: 1200,
    completedPerSec: 150,
    jobMs: 20,
    estimatedWaitMs: 8000,
    guard: null,
    lastEvaluation: {
      atMs: 999_000,
      action: 'hold',
      from: 3,
      to: 3,
      reason: 'queue wait 8 s > 2 s; 2 instance(s) starting',
    },
    lastChange: { atMs: 995_000, action: 'up', from: 1, to: 3, reason: 'queue wait 7.2 s > 2 s: +2' },
    changes: 1,
    ...over,
  };
}

export function server(
  address: string,
  functions: ServerInfo['functions'],
  over: Partial<ServerInfo> = {},
): ServerInfo {
  return { address, embedded: true, reachable: true, error: null, functions, polledAtMs: 0, ...over };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    takenAtMs: 1_000_000,
    daemon: {
      pid: 4242,
      version: '0.1.0',
      configFile: '/tmp/workers.yaml',
      startedAtMs: 900_000,
      rssBytes: 1,
      cpuPercent: 0,
      configError: null,
      errors: 0,
    },
    programs: [program('reverse', 2), program('wc', 1)],
    instances: [instance('reverse', 0), instance('reverse', 1, { pid: 2001 }), instance('wc', 0, { pid: 3000 })],
    servers: [
      server('127.0.0.1:4730', [
        { function: 'reverse', queued: 5, running: 2, availableWorkers: 2 },
        { function: 'wc', queued: 0, running: 0, availableWorkers: 1 },
      ]),
    ],
    alarms: [],
    jobsDoneByFunction: { reverse: 100, wc: 10 },
    ...over,
  };
}
