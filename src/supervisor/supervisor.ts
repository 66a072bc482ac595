// Owns the programs of one config: starts them, applies a reload diff (add / remove / rolling restart /
// scale / live update), runtime overrides (scale, stop/start a worker), and stops everything in order.

import type { ReloadPlanEntry } from '../control/protocol.js';
import { LIMITS } from '../config/defaults.js';
import { diffConfigs, same, type ConfigDiff } from '../config/diff.js';
import { describeDiff } from './reload-plan.js';
import type { Config, ProgramConfig } from '../config/types.js';
import type { InstanceState } from '../control/snapshot.js';
import type { Clock } from '../shared/clock.js';
import { GmsupError } from '../shared/errors.js';
import type { ErrorTally } from './error-tally.js';
import type { LogSink } from './log-sink.js';
import type { ManagedProcess } from './managed-process.js';
import { Program } from './program.js';
import type { Spawner } from './spawner.js';

export interface SupervisorDeps {
  spawner: Spawner;
  clock: Clock;
  log: LogSink;
  errors: ErrorTally;
}

export class Supervisor {
  readonly programs = new Map<string, Program>();
  /** Cumulative completed jobs per function since start (from the workers' job:end messages). */
  readonly jobsDoneByFunction: Record<string, number> = {};
  private stopping = false;
  private current: Config;
  private readonly log: LogSink;
  private readonly errors: ErrorTally;

  constructor(
    config: Config,
    private readonly deps: SupervisorDeps,
  ) {
    this.current = config;
    this.log = deps.log;
    this.errors = deps.errors;
  }

  get config(): Config {
    return this.current;
  }

  /** Every job server a worker of this config uses (the samplers poll them). */
  serverAddresses(): string[] {
    const set = new Set(this.current.servers);
    for (const p of this.programs.values()) for (const s of p.config.spec.servers) set.add(s);
    return [...set];
  }

  start(): void {
    for (const p of this.config.programs) this.addProgram(p);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  instances(): ManagedProcess[] {
    return [...this.programs.values()].flatMap((p) => p.all());
  }

  program(name: string): Program {
    const p = this.programs.get(name);
    if (!p)
      throw new GmsupError(
        'BAD_NAME',
        `no worker named ${JSON.stringify(name)} (known: ${[...this.programs.keys()].join(', ') || 'none'})`,
      );
    return p;
  }

  plan(next: Config): ReloadPlanEntry[] {
    const plan = describeDiff(diffConfigs(this.config, next));
    for (const e of plan) {
      const p = this.programs.get(e.worker);
      if (!p?.scaled || e.action === 'stop') continue;
      e.detail += p.config.autoscale
        ? ` (pinned at ${p.desired} by gmsup scale: kept unless autoscale changes)`
        : ` (runtime scale to ${p.desired} kept unless the file's count changed)`;
    }
    return plan;
  }

  /** Applies a validated new config; returns the plan it carried out. */
  apply(next: Config): ReloadPlanEntry[] {
    const diff = diffConfigs(this.current, next);
    const plan = this.plan(next);
    this.current = next;
    this.applyDiff(diff);
    return plan;
  }

  private applyDiff(d: ConfigDiff): void {
    if (d.serverChanged)
      this.log.daemon('the embedded server block changed: restart the daemon to apply it (kept as it was)');
    for (const p of d.removed) {
      const prog = this.programs.get(p.name);
      if (!prog) continue;
      this.programs.delete(p.name);
      this.log.daemon(`${p.name}: removed from the config, draining ${prog.slots.length} instance(s)`);
      prog.remove('removed from config').catch((err) => this.errors.record(p.name, `${p.name}: removal`, err));
    }
    for (const p of d.added) {
      const as = p.autoscale ? ` (autoscale ${p.autoscale.minInstances}..${p.autoscale.maxInstances})` : '';
      this.log.daemon(`${p.name}: added, starting ${p.instances} instance(s)${as}`);
      this.addProgram(p);
    }
    for (const c of [...d.changed, ...d.scaled, ...d.updated]) {
      const prog = this.programs.get(c.name);
      if (!prog) continue;
      const countChanged = c.fromInstances !== c.toInstances;
      // A new count or autoscale block in the file ends a runtime override (a pin of an autoscaled count).
      if (countChanged || !same(c.old.autoscale, c.next.autoscale)) prog.scaled = false;
      const desired = prog.scaled ? prog.desired : countFor(c.next, prog.desired);
      if (d.changed.includes(c)) {
        this.log.daemon(`${c.name}: ${c.restartFields.join(', ')} changed, rolling restart`);
        // Scale down first (fewer to restart), then roll the rest, then scale up with the new config.
        if (desired < prog.slots.length) prog.setDesired(desired);
        prog
          .rollingRestart('config changed', c.next)
          .then(() => {
            if (this.programs.get(c.name) !== prog || prog.stopped) return;
            // The autoscaler may have moved an autoscaled count during the roll: keep its latest.
            prog.setDesired(prog.config.autoscale && !prog.scaled ? countFor(prog.config, prog.desired) : desired);
          })
          .catch((err) => this.errors.record(c.name, `${c.name}: rolling restart (config changed)`, err));
      } else {
        prog.updateConfig(c.next);
        if (desired !== prog.desired) this.log.daemon(`${c.name}: ${prog.desired} -> ${desired} instances`);
        prog.setDesired(desired); // a stopped program only notes the count
      }
    }
  }

  private addProgram(config: ProgramConfig): Program {
    const prog = new Program(config, { spawner: this.deps.spawner, clock: this.deps.clock });
    prog.on('line', (mp, stream, text) => this.log.worker(mp.name, mp.index, mp.pid, stream, text));
    prog.on('log', (text) => this.log.daemon(text, config.name));
    prog.on('failure', (context, err) => this.errors.record(config.name, context, err));
    prog.on('state', (mp, from, to) => this.log.daemon(describeTransition(mp, from, to), mp.name));
    prog.on('job:end', (fn, ok) => {
      if (ok) this.jobsDoneByFunction[fn] = (this.jobsDoneByFunction[fn] ?? 0) + 1;
    });
    this.programs.set(config.name, prog);
    prog.start();
    return prog;
  }

  /**
   * `gmsup scale`: a runtime count. On an autoscaled worker it pins the count (autoscaling pauses) until
   * `gmsup scale NAME auto` or a reload that changes its autoscale block; `auto` resumes within min..max.
   */
  scale(name: string, n: number | 'auto'): { from: number; to: number; autoscale?: 'pinned' | 'resumed' } {
    const prog = this.program(name);
    const as = prog.config.autoscale;
    const from = prog.desired;
    if (n === 'auto') {
      if (!as) throw new GmsupError('USAGE', `${name} has a fixed count (no autoscale block): give a number`);
      const to = countFor(prog.config, from);
      prog.scaled = false;
      this.log.daemon(`${name}: autoscaling resumed at ${to} (autoscale ${as.minInstances}..${as.maxInstances})`, name);
      prog.setDesired(to);
      return { from, to, autoscale: 'resumed' };
    }
    if (!Number.isInteger(n) || n < 0 || n > LIMITS.maxInstances)
      throw new GmsupError('USAGE', `instance count must be an integer 0..${LIMITS.maxInstances}, got ${n}`);
    if (as) {
      prog.scaled = true;
      const range = `${as.minInstances}..${as.maxInstances}`;
      this.log.daemon(
        `${name}: pinned ${from} -> ${n} at runtime (autoscale ${range} paused; \`gmsup scale ${name} auto\` resumes)`,
        name,
      );
      prog.setDesired(n);
      return { from, to: n, autoscale: 'pinned' };
    }
    prog.scaled = n !== prog.config.instances;
    this.log.daemon(
      `${name}: scaled ${from} -> ${n} at runtime${prog.scaled ? ` (config says ${prog.config.instances})` : ''}`,
      name,
    );
    prog.setDesired(n);
    return { from, to: n };
  }

  async restart(name: string, index?: number): Promise<number> {
    const progs = name === 'all' ? [...this.programs.values()] : [this.program(name)];
    let n = 0;
    for (const p of progs) {
      if (p.stopped) p.start();
      n += await p.restart(index);
    }
    return n;
  }

  async stopProgram(name: string): Promise<number> {
    const p = this.program(name);
    const n = p.all().length;
    await p.stopAll('stopped by request');
    return n;
  }

  startProgram(name: string): number {
    const p = this.program(name);
    p.start();
    return p.desired;
  }

  /** Drains every instance (reverse config order), then TERM/KILL groups past their deadlines. */
  async stopAll(opts: { force?: boolean } = {}): Promise<void> {
    this.stopping = true;
    const progs = [...this.programs.values()].reverse();
    await Promise.all(progs.map((p) => p.stopAll('daemon shutting down', opts)));
    for (const mp of this.instances()) mp.close();
  }
}

/** The count a (re)configured program runs: the file's, or for an autoscaled one the current within min..max. */
function countFor(config: ProgramConfig, current: number): number {
  const as = config.autoscale;
  return as ? Math.min(as.maxInstances, Math.max(as.minInstances, current)) : config.instances;
}

/** The daemon's log line for one state change: `name/index/pid FROM -> TO`, with the reason where it helps. */
function describeTransition(mp: ManagedProcess, from: InstanceState, to: InstanceState): string {
  const s = mp.state;
  const pid = (to === 'STARTING' ? null : mp.lastPid) ?? '-';
  let why = '';
  if (to === 'FATAL' || to === 'BACKOFF') why = `: ${s.reason ?? ''}`;
  else if (to === 'STOPPED' && s.lastStopPath) why = ` (stopped via ${s.lastStopPath})`;
  const afterExit = (to === 'BACKOFF' || to === 'STARTING' || to === 'EXITED') && from !== 'STOPPED';
  const lastExit = s.lastExit && afterExit ? ` (last exit: ${s.lastExit})` : '';
  return `${mp.name}/${mp.index}/${pid} ${from} -> ${to}${why}${lastExit}`;
}
