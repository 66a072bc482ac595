// One config program (an entry of `workers:`) = N instance slots. Scales without restarting anything,
// recycles an instance by starting its replacement first, and restarts one slot at a time (rolling).

import { EventEmitter } from 'node:events';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import type { ProgramConfig } from '../config/types.js';
import type { InstanceState } from '../control/snapshot.js';
import type { Clock } from '../shared/clock.js';
import { JobTally } from './instance-jobs.js';
import { ManagedProcess } from './managed-process.js';
import type { Spawner } from './spawner.js';
import { WarmSpare } from './warm-spare.js';

export interface Slot {
  readonly index: number;
  current: ManagedProcess;
  /** While a replacement is on its way: the process it replaces (back in `current` if it fails). */
  replacing: ManagedProcess | null;
  /** Restarts of earlier processes of this slot (recycled ones). */
  restartsBefore: number;
  /** Why the slot's previous process was replaced (recycling), for status. */
  lastReplaced: string | null;
}

export interface ProgramEvents {
  line: [ManagedProcess, 'stdout' | 'stderr', string];
  state: [ManagedProcess, InstanceState, InstanceState];
  'job:end': [string, boolean, number];
  log: [string];
  /** An error met in the background, with the instance it concerns (`name/index/pid: what`). */
  failure: [string, unknown];
}

export interface ProgramDeps {
  spawner: Spawner;
  clock: Clock;
}

const SETTLED: readonly InstanceState[] = ['STOPPED', 'EXITED', 'FATAL'];
/** A replacement in one of these is as far as it gets without help: RUNNING, or given up on. */
const REPLACEMENT_OUTCOMES: readonly InstanceState[] = ['RUNNING', 'FATAL', 'STOPPED'];

export class Program extends EventEmitter<ProgramEvents> {
  readonly slots: Slot[] = [];
  /** Instances on their way out (recycled, scaled away, removed); dropped once settled. */
  readonly leaving = new Set<ManagedProcess>();
  private desiredCount: number;
  private isStopped = false;
  /** `gmsup scale` override in force (the file's count is config.instances; an autoscaled count is pinned). */
  scaled = false;
  /** Every job its instances reported finished (the autoscaler's rates). */
  readonly jobTally = new JobTally();
  private rolling: Promise<void> = Promise.resolve();
  /** Module programs keep one warm spare process: a restart then skips Node's start-up. */
  private spare: WarmSpare | null = null;

  constructor(
    private programConfig: ProgramConfig,
    private readonly deps: ProgramDeps,
  ) {
    super();
    this.desiredCount = programConfig.instances;
  }

  get name(): string {
    return this.programConfig.name;
  }
  get config(): ProgramConfig {
    return this.programConfig;
  }
  /** Instance count in force. */
  get desired(): number {
    return this.desiredCount;
  }
  /** Stopped by request (`gmsup stop-worker`, removal, shutdown): nothing is started until start(). */
  get stopped(): boolean {
    return this.isStopped;
  }

  start(): void {
    this.isStopped = false;
    this.fill();
  }

  all(): ManagedProcess[] {
    return [...this.slots.map((s) => s.current), ...this.leaving];
  }

  /** Daemon-side settings changed (max_memory, restart.*): every instance uses them from now on. */
  updateConfig(config: ProgramConfig): void {
    this.programConfig = config;
    for (const mp of this.all()) mp.useConfig(config);
  }

  /** Scale to n instances: start new slots or drain the highest ones; never restarts the others. */
  setDesired(n: number): void {
    this.desiredCount = n;
    if (n === 0) this.dropSpare();
    if (this.isStopped) return;
    this.fill();
    for (let slot = this.slots.at(-1); slot && this.slots.length > n; slot = this.slots.at(-1)) {
      this.slots.pop();
      // A slot in the middle of a replacement has two processes: both go.
      this.retire(slot.current, 'scaled down');
      if (slot.replacing) this.retire(slot.replacing, 'scaled down');
    }
  }

  /**
   * Replacement first: start a new process for the slot, wait until it is RUNNING, then drain the old
   * one (unless it leaves by itself), so the slot's capacity never drops to zero. If the replacement
   * cannot start, the old process stays in place.
   */
  async replace(slot: Slot, reason: string, drainOld = true): Promise<boolean> {
    if (slot.replacing) return false;
    const old = slot.current;
    const before = { restartsBefore: slot.restartsBefore, lastReplaced: slot.lastReplaced };
    const next = this.makeInstance(slot.index);
    slot.replacing = old;
    slot.restartsBefore += old.state.restarts + 1;
    slot.lastReplaced = reason;
    slot.current = next;
    old.setRetiring(true);
    if (!old.settled) this.leaving.add(old);
    try {
      next.start();
      if (!drainOld) return true;
      await next.until(REPLACEMENT_OUTCOMES, SUPERVISOR_TIMINGS.replacementTimeoutMs);
      // Scaled away, removed or stopped meanwhile: whoever did that took care of both processes.
      if (this.isStopped || slot.current !== next || !this.slots.includes(slot)) return false;
      if (next.stateName !== 'RUNNING' && !old.settled) {
        // The replacement failed: keep the old one serving and give up on this recycle.
        const why = `${next.stateName}: ${next.state.reason ?? ''}`;
        this.emit('log', `${this.name}/${slot.index}: replacement did not come up (${why}); keeping pid ${old.pid}`);
        slot.current = old;
        slot.restartsBefore = before.restartsBefore;
        slot.lastReplaced = before.lastReplaced;
        old.setRetiring(false);
        this.leaving.delete(old);
        this.retire(next, 'replacement failed', { force: true });
        return false;
      }
      this.emit('log', `${this.name}/${slot.index}: pid ${next.pid} took over from pid ${old.pid ?? '-'} (${reason})`);
      this.retire(old, reason);
      return true;
    } finally {
      slot.replacing = null;
    }
  }

  /** Restarts every slot one at a time (new config or module edit); queued behind any earlier roll. */
  rollingRestart(reason: string, config?: ProgramConfig): Promise<void> {
    if (config) this.programConfig = config;
    return this.roll([...this.slots], reason).then(() => undefined);
  }

  /** `gmsup restart`: a rolling restart of every slot (or one), which also revives FATAL/STOPPED ones. */
  restart(index?: number): Promise<number> {
    const slots = index === undefined ? [...this.slots] : this.slots.filter((s) => s.index === index);
    return this.roll(slots, 'restart requested');
  }

  /** Drains and stops every instance; resolves when all are settled or the deadline passes. */
  async stopAll(reason: string, opts: { force?: boolean } = {}): Promise<void> {
    this.isStopped = true;
    this.dropSpare();
    const procs = this.all();
    for (const mp of procs) if (!SETTLED.includes(mp.stateName)) mp.stop(reason, { force: opts.force });
    const deadlineMs = this.programConfig.spec.stopTimeoutMs + SUPERVISOR_TIMINGS.stopAllSlackMs;
    await Promise.all(procs.map((mp) => mp.until(SETTLED, deadlineMs)));
  }

  /** Removes the program: drain every slot. */
  async remove(reason: string): Promise<void> {
    await this.stopAll(reason);
    for (const mp of this.all()) mp.close();
    this.slots.length = 0;
    this.leaving.clear();
  }

  restartsOf(slot: Slot): number {
    return slot.restartsBefore + slot.current.state.restarts;
  }

  /** Replaces the given slots one after another; a settled one just starts again with the current config. */
  private roll(slots: Slot[], reason: string): Promise<number> {
    const run = async () => {
      for (const slot of slots) {
        if (!this.slots.includes(slot) || this.isStopped) continue;
        if (slot.current.settled) {
          slot.current.useConfig(this.programConfig);
          slot.current.start();
          continue;
        }
        await this.replace(slot, reason);
      }
    };
    this.rolling = this.rolling.then(run, run);
    return this.rolling.then(() => slots.length);
  }

  /** Starts every slot below `desired` that does not exist yet, and restarts stopped ones. */
  private fill(): void {
    for (const slot of this.slots) if (slot.current.settled && slot.current.stateName !== 'FATAL') slot.current.start();
    for (let i = this.slots.length; i < this.desiredCount; i++) {
      const mp = this.makeInstance(i);
      this.slots.push({ index: i, current: mp, replacing: null, restartsBefore: 0, lastReplaced: null });
      mp.start();
    }
  }

  private makeInstance(index: number): ManagedProcess {
    const mp = new ManagedProcess(this.programConfig, index, {
      spawner: this.deps.spawner,
      clock: this.deps.clock,
      takeSpare: () => {
        if (!this.spare || this.isStopped) return null;
        this.spare.setCwd(this.programConfig.spec.cwd);
        return this.spare.take();
      },
    });
    const where = () => `${this.name}/${index}/${mp.lastPid ?? '-'}`;
    mp.on('line', (stream, text) => this.emit('line', mp, stream, text));
    mp.on('job:end', (fn, ok, durationMs) => {
      this.jobTally.record(durationMs);
      this.emit('job:end', fn, ok, durationMs);
    });
    mp.on('problem', (problem) => this.emit('failure', where(), new Error(problem)));
    mp.on('state', (from, to) => {
      this.emit('state', mp, from, to);
      if (to === 'RUNNING') this.prepareSpare();
      if (this.leaving.has(mp) && mp.settled) {
        mp.close();
        this.leaving.delete(mp);
      } else if (to === 'EXITED' && !this.isStopped && this.slots.some((s) => s.current === mp)) {
        // EXITED -> STARTING: an expected exit whose replacement was not started (a replace was pending).
        mp.start();
      }
    });
    mp.on('leaving', (why) => {
      const slot = this.slots.find((s) => s.current === mp);
      if (slot) this.replace(slot, why, false).catch((err) => this.emit('failure', `${where()}: replace`, err));
    });
    return mp;
  }

  /** Takes a process out of service: stops it (drain) and forgets it once it settled. */
  private retire(mp: ManagedProcess, reason: string, opts: { force?: boolean } = {}): void {
    mp.setRetiring(true);
    if (mp.settled) {
      mp.stop(reason);
      mp.close();
      this.leaving.delete(mp);
      return;
    }
    this.leaving.add(mp);
    mp.stop(reason, opts);
  }

  /** Prepares the spare once the first instances run (not during start-up, where it would compete). */
  private prepareSpare(): void {
    const { spec } = this.programConfig;
    if (spec.kind !== 'module' || this.isStopped || this.desiredCount === 0 || this.spare) return;
    this.spare = new WarmSpare(this.deps.spawner, this.deps.clock, spec.cwd, this.name);
    this.spare.schedule(0);
  }

  private dropSpare(): void {
    this.spare?.close();
    this.spare = null;
  }
}
