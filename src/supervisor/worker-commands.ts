// Two control requests about one worker that need more than a Program method: `describe` (the config in
// force plus the worker's part of the Snapshot) and `signal` (to the process group of each running
// instance, the way Supervisor's `signal` and `kill -s SIG -PGID` do it).

import { programSettings } from '../config/describe.js';
import type { WorkerDescription } from '../control/protocol.js';
import type { Snapshot } from '../control/snapshot.js';
import { GmsupError } from '../shared/errors.js';
import { killGroup } from '../shared/kill-group.js';
import { parseSignal } from '../shared/signals.js';
import type { LogSink } from './log-sink.js';
import type { Supervisor } from './supervisor.js';

export function describeWorker(sup: Supervisor, name: string, snapshot: Snapshot): WorkerDescription {
  const prog = sup.program(name); // BAD_NAME when unknown
  const config = prog.config;
  const program = snapshot.programs.find((p) => p.name === name);
  if (!program) throw new GmsupError('BAD_NAME', `no worker named ${JSON.stringify(name)}`);
  const fn = config.spec.function;
  return {
    settings: programSettings(config),
    config: { ...config } as Record<string, unknown>,
    source: { ...config.source },
    program,
    instances: snapshot.instances.filter((i) => i.name === name),
    queues: snapshot.servers
      .filter((s) => config.spec.servers.includes(s.address))
      .map((s) => ({
        server: s.address,
        reachable: s.reachable,
        error: s.error,
        queue: s.functions.find((f) => f.function === fn) ?? null,
      })),
  };
}

/** Sends `signalText` to every running instance of `name` (`all`: of every worker), or to one index. */
export function signalWorker(
  sup: Supervisor,
  log: LogSink,
  req: { name: string; index?: number; signal: string },
): { signalled: Array<{ name: string; index: number; pid: number }> } {
  const sig = parseSignal(req.signal);
  if (sig === null) throw new GmsupError('USAGE', `unknown signal ${JSON.stringify(req.signal)}`);
  const progs = req.name === 'all' ? [...sup.programs.values()] : [sup.program(req.name)];
  const signalled: Array<{ name: string; index: number; pid: number }> = [];
  for (const prog of progs) {
    const slots = req.index === undefined ? prog.slots : prog.slots.filter((s) => s.index === req.index);
    if (req.index !== undefined && slots.length === 0)
      throw new GmsupError('BAD_NAME', `${prog.name} has no instance ${req.index} (it has ${prog.slots.length})`);
    for (const slot of slots) {
      const pid = slot.current.pid;
      if (pid === null) continue;
      if (killGroup(pid, sig)) {
        signalled.push({ name: prog.name, index: slot.index, pid });
        log.daemon(`${prog.name}/${slot.index}/${pid}: ${sig} sent (gmsup signal)`, prog.name);
      }
    }
  }
  if (signalled.length === 0) {
    const which = req.index === undefined ? req.name : `${req.name}/${req.index}`;
    throw new GmsupError('NOT_RUNNING', `${which}: no running process to signal`);
  }
  return { signalled };
}
