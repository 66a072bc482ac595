// How many processes a workers file asks for, against what the machine can hold (issue 11 defect 8: a
// file with 5,000 module workers meant about 10,000 Node processes). Pure: counts and machine figures
// in, a verdict with the numbers out. The formula is in docs/config.md (Process limit).
//
//   processes = sum of instances (an autoscaled worker's max) + one warm spare per module worker
//   memory    = min(total memory, the cgroup limit when there is one)
//   fit       = floor(memory / 50 MiB)       (a registered Node worker process uses about 46 MiB)
//   warn      above min(32 x CPUs, fit / 2)  (oversubscribed: slower, not broken)
//   refuse    above max(warn, fit)           (they could not all be in memory at once)
//   `max_processes: N` replaces both: refuse above N, no warning up to it.

import type { ProgramConfig } from './types.js';

/** What one worker process is assumed to need (measured: 46 MiB RSS for a registered module worker). */
export const PROCESS_MEMORY_BYTES = 50 * 1024 * 1024;
export const PROCESSES_PER_CPU_WARN = 32;

export interface ProcessBudget {
  processes: number;
  /** `N module instances + M warm spares + K others` for messages. */
  breakdown: string;
  warnAbove: number;
  refuseAbove: number;
  level: 'ok' | 'warn' | 'refuse';
  /** Set for warn and refuse: the numbers, the machine, what to do. */
  message: string | null;
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

export function processBudget(
  programs: readonly (Pick<ProgramConfig, 'instances' | 'spec'> & { autoscale?: { maxInstances: number } | null })[],
  machine: { cpuCount: number; memoryBytes: number },
  maxProcesses: number | null,
): ProcessBudget {
  let moduleInstances = 0;
  let spares = 0;
  let others = 0;
  for (const p of programs) {
    // An autoscaled worker may grow to its max: count that (the machine must hold the worst case).
    const count = p.autoscale?.maxInstances ?? p.instances;
    if (p.spec.kind === 'module') {
      moduleInstances += count;
      if (count > 0) spares++;
    } else others += count;
  }
  const processes = moduleInstances + spares + others;
  const breakdown =
    `${moduleInstances} module instance(s) + ${spares} warm spare(s) + ` + `${others} command/process instance(s)`;
  const fit = Math.max(1, Math.floor(machine.memoryBytes / PROCESS_MEMORY_BYTES));
  const warnAbove =
    maxProcesses ?? Math.max(1, Math.min(PROCESSES_PER_CPU_WARN * machine.cpuCount, Math.floor(fit / 2)));
  const refuseAbove = maxProcesses ?? Math.max(warnAbove, fit);
  const level = processes > refuseAbove ? 'refuse' : processes > warnAbove ? 'warn' : 'ok';
  const host = `${machine.cpuCount} CPU(s), ${gib(machine.memoryBytes)} memory, about 50 MiB per worker process`;
  let message: string | null = null;
  if (level === 'refuse')
    message =
      maxProcesses !== null
        ? `${processes} processes (${breakdown}) exceed max_processes: ${maxProcesses}`
        : `${processes} processes (${breakdown}) exceed the limit of ${refuseAbove} for this machine (${host}); ` +
          'lower instances/per_core, or set `max_processes: N` at the top level to allow more';
  else if (level === 'warn')
    message =
      `${processes} processes (${breakdown}) are more than the ${warnAbove} recommended for this machine ` +
      `(${host}; refused above ${refuseAbove}); set \`max_processes: N\` to silence this`;
  return { processes, breakdown, warnAbove, refuseAbove, level, message };
}
