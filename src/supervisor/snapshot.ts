// Assembles the Snapshot (the JSON `gmsup status` and the dashboard read) from the supervisor's
// programs, the health check's latest samples and the error tally. Reads only; changes nothing.

import type { InstanceInfo, ProgramInfo, Snapshot } from '../control/snapshot.js';
import { VERSION } from '../shared/version.js';
import { autoscaleInfo, type Autoscaler } from './autoscaler.js';
import type { ErrorTally } from './error-tally.js';
import type { HealthCheck } from './health-check.js';
import type { ManagedProcess } from './managed-process.js';
import type { Program, Slot } from './program.js';
import type { Supervisor } from './supervisor.js';

export interface DaemonInfo {
  configFile: string;
  startedAtMs: number;
  configError: string | null;
}

function instanceInfo(prog: Program, mp: ManagedProcess, slot: Slot | null, now: number): InstanceInfo {
  const s = mp.state;
  const oldestJobAtMs = mp.jobs.oldestStartedAtMs();
  return {
    name: prog.name,
    function: mp.config.spec.function,
    index: mp.index,
    pid: s.pid,
    state: s.stateName,
    uptimeMs: s.pid !== null && s.spawnedAtMs !== null ? now - s.spawnedAtMs : null,
    restarts: slot ? prog.restartsOf(slot) : s.restarts,
    cpuPercent: mp.usage?.cpuPercent ?? null,
    rssBytes: mp.usage?.rssBytes ?? null,
    jobsDone: mp.jobs.done,
    jobsFailed: mp.jobs.failed,
    currentJobAgeMs: oldestJobAtMs === null ? null : Math.max(0, now - oldestJobAtMs),
    lastExit: s.lastExit ?? slot?.lastReplaced ?? null,
    reason: s.reason,
    registeredOn: mp.registeredOn,
    serverCount: mp.config.spec.servers.length,
    retiring: mp.retiring,
  };
}

export function buildSnapshot(
  sup: Supervisor,
  health: HealthCheck | null,
  errors: ErrorTally,
  info: DaemonInfo,
  now: number,
  autoscaler: Autoscaler | null = null,
): Snapshot {
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
      autoscale: autoscaler ? autoscaler.info(prog) : autoscaleInfo(prog, undefined),
      errors: errors.countFor(prog.name),
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
      rssBytes: health?.daemonUsage?.rssBytes ?? null,
      cpuPercent: health?.daemonUsage?.cpuPercent ?? null,
      configError: info.configError,
      errors: errors.total,
    },
    programs,
    instances,
    servers: health ? [...health.servers] : [],
    alarms: health ? [...health.alarms] : [],
    jobsDoneByFunction: { ...sup.jobsDoneByFunction },
  };
}
