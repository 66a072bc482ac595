// Builds Snapshots for the dashboard's unit tests: plain data, every field of the contract filled.

import type { InstanceInfo, ProgramInfo, ServerInfo, Snapshot } from '../../../src/control/snapshot.js';

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
    errors: 0,
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
