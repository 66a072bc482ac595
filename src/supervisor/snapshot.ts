// Assembles the Snapshot (the JSON `gmsup status` and the dashboard read) from the supervisor's
// programs and the monitor's latest samples. Reads only; changes nothing.

import type { InstanceInfo, ProgramInfo, Snapshot } from '../control/snapshot.js';
import { VERSION } from '../shared/version.js';
import type { ManagedProcess } from './managed-process.js';
import type { Monitor } from './monitor.js';
import type { Program, Slot } from './program.js';
import type { Supervisor } from './supervisor.js';

export interface DaemonInfo {
  configFile: string;
  startedAtMs: number;
  configError: string | null;
}

function instanceInfo(prog: Program, mp: ManagedProcess, slot: Slot | null, now: number): InstanceInfo {
  const s = mp.state;
  let oldestJobMs: number | null = null;
  for (const j of mp.currentJobs.values())
    oldestJobMs = oldestJobMs === null ? j.startedAtMs : Math.min(oldestJobMs, j.startedAtMs);
  return {
    name: prog.name,
    function: mp.config.spec.function,
    index: mp.index,
    pid: s.pid,
    state: s.stateName,
    uptimeMs: s.pid !== null && s.spawnedAtMs !== null ? now - s.spawnedAtMs : null,
    restarts: slot ? prog.restartsOf(slot) : s.restarts,
    cpuPercent: mp.cpuPercent,
    rssBytes: mp.rssBytes,
    jobsDone: mp.jobsDone,
    jobsFailed: mp.jobsFailed,
    currentJobAgeMs: oldestJobMs === null ? null : Math.max(0, now - oldestJobMs),
    lastExit: s.lastExit ?? slot?.lastReplaced ?? null,
    reason: s.reason,
    registeredOn: mp.registeredOn,
    serverCount: mp.config.spec.servers.length,
    retiring: mp.retiring,
  };
}

export function buildSnapshot(sup: Supervisor, mon: Monitor, info: DaemonInfo): Snapshot {
  const now = Date.now();
  const programs: ProgramInfo[] = [];
  const instances: InstanceInfo[] = [];
  for (const prog of sup.programs.values()) {
    programs.push({
      name: prog.name,
      function: prog.config.spec.function,
      kind: prog.config.spec.kind,
      desired: prog.desired,
      configured: prog.config.instances,
      scaled: prog.scaled,
      stopped: prog.stopped,
    });
    for (const slot of prog.slots) instances.push(instanceInfo(prog, slot.current, slot, now));
    for (const mp of prog.leaving) instances.push(instanceInfo(prog, mp, null, now));
  }
  instances.sort(
    (a, b) => a.name.localeCompare(b.name) || a.index - b.index || Number(a.retiring) - Number(b.retiring),
  );
  return {
    takenAtMs: now,
    daemon: {
      pid: process.pid,
      version: VERSION,
      configFile: info.configFile,
      startedAtMs: info.startedAtMs,
      rssBytes: mon.daemonRssBytes,
      cpuPercent: mon.daemonCpuPercent,
      configError: info.configError,
    },
    programs,
    instances,
    servers: mon.servers,
    alarms: mon.alarms,
    jobsDoneByFunction: { ...sup.jobsDoneByFunction },
  };
}
