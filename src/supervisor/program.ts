// One config program (an entry of `workers:`) = N instance slots. Scales without restarting anything,
// recycles an instance by starting its replacement first, and restarts one slot at a time (rolling).

import { EventEmitter } from 'node:events';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import type { ProgramConfig } from '../config/types.js';
import { ManagedProcess } from './managed-process.js';
import type { Spawner } from './spawner.js';
import { WarmSpare } from './warm-spare.js';

export interface Slot {
  index: number;
  current: ManagedProcess;
  /** Restarts of earlier processes of this slot (recycled ones). */
  restartsBefore: number;
  /** A recycle or rolling restart is in progress for this slot. */
  busy: boolean;
  /** Why the slot's previous process was replaced (recycling), for status. */
  lastReplaced: string | null;
}

export interface ProgramEvents {
  line: [ManagedProcess, 'stdout' | 'stderr', string];
  state: [ManagedProcess, string, string];
  'job:end': [string, boolean];
  log: [string];
}

export class Program extends EventEmitter<ProgramEvents> {
  readonly slots: Slot[] = [];
  /** Instances on their way out (recycled, scaled away, removed); dropped once settled. */
  readonly leaving = new Set<ManagedProcess>();
  desired: number;
  /** `gmsup scale` override in force (the file's count is config.instances). */
  scaled = false;
  stopped = false;
  private rolling: Promise<void> = Promise.resolve();
  /** Module programs keep one warm spare process: a restart then skips Node's start-up. */
  private spare: WarmSpare | null = null;

  constructor(
    public config: ProgramConfig,
    private readonly spawner: Spawner,
  ) {
    super();
    this.desired = config.instances;
  }

  /** Prepares the spare once the first instances run (not during start-up, where it would compete). */
  private prepareSpare(): void {
    if (this.config.spec.kind !== 'module' || this.stopped || this.desired === 0 || this.spare) return;
    this.spare = new WarmSpare(this.spawner, this.config.spec.cwd, this.config.name);
    this.spare.schedule(0);
  }

  private dropSpare(): void {
    this.spare?.close();
    this.spare = null;
  }

  get name(): string {
    return this.config.name;
  }

  start(): void {
    this.stopped = false;
    this.fill();
  }

  all(): ManagedProcess[] {
    return [...this.slots.map((s) => s.current), ...this.leaving];
  }

  /** Scale to n instances: start new slots or drain the highest ones; never restarts the others. */
  setDesired(n: number): void {
    this.desired = n;
    if (n === 0) this.dropSpare();
    if (this.stopped) return;
    this.fill();
    while (this.slots.length > n) {
      const slot = this.slots.pop()!;
      this.retire(slot.current, 'scaled down');
    }
  }

  /** Starts every slot below `desired` that does not exist yet, and restarts stopped ones. */
  private fill(): void {
    for (const slot of this.slots) if (slot.current.settled && slot.current.stateName !== 'FATAL') slot.current.start();
    for (let i = this.slots.length; i < this.desired; i++) {
      const mp = this.makeInstance(i);
      this.slots.push({ index: i, current: mp, restartsBefore: 0, busy: false, lastReplaced: null });
      mp.start();
    }
  }

  private makeInstance(index: number): ManagedProcess {
    const mp = new ManagedProcess(this.config, index, this.spawner, Date.now, () => {
      if (!this.spare || this.stopped) return null;
      this.spare.setCwd(this.config.spec.cwd);
      return this.spare.take();
    });
    mp.on('line', (stream, text) => this.emit('line', mp, stream, text));
    mp.on('job:end', (fn, ok) => this.emit('job:end', fn, ok));
    mp.on('problem', (problem) => this.emit('log', `${this.name}/${index}/${mp.lastPid ?? '-'}: ${problem}`));
    mp.on('state', (from, to) => {
      this.emit('state', mp, from, to);
      if (to === 'RUNNING') this.prepareSpare();
      if (this.leaving.has(mp) && mp.settled) {
        mp.close();
        this.leaving.delete(mp);
      } else if (to === 'EXITED' && !this.stopped && this.slots.some((s) => s.current === mp)) {
        // EXITED -> STARTING: an expected exit whose replacement was not started (slot was busy).
        mp.start();
      }
    });
    mp.on('leaving', (why) => {
      const slot = this.slots.find((s) => s.current === mp);
      if (slot)
        this.replace(slot, why, false).catch((err) =>
          this.emit('log', `${this.name}/${slot.index}: replace failed: ${String(err)}`),
        );
    });
    return mp;
  }

  private retire(mp: ManagedProcess, reason: string): void {
    mp.retiring = true;
    if (mp.settled) {
      mp.stop(reason);
      mp.close();
      return;
    }
    this.leaving.add(mp);
    mp.stop(reason);
  }

  /**
   * Replacement first: start a new process for the slot, wait until it is RUNNING, then drain the old
   * one (unless it leaves by itself), so the slot's capacity never drops to zero. If the replacement
   * cannot start, the old process stays in place.
   */
  async replace(slot: Slot, reason: string, drainOld = true): Promise<boolean> {
    if (slot.busy) return false;
    slot.busy = true;
    try {
      const old = slot.current;
      const next = this.makeInstance(slot.index);
      slot.restartsBefore += old.state.restarts + 1;
      const previousReason = slot.lastReplaced;
      slot.lastReplaced = reason;
      slot.current = next;
      old.retiring = true;
      if (!old.settled) this.leaving.add(old);
      next.start();
      if (drainOld) {
        const ok = await next.until(['RUNNING'], SUPERVISOR_TIMINGS.replacementTimeoutMs);
        if (!ok && !old.settled && slot.current === next && this.slots.includes(slot)) {
          // The replacement failed: keep the old one serving and give up on this recycle.
          this.emit(
            'log',
            `${this.name}/${slot.index}: replacement did not come up (${next.stateName}: ${next.state.reason ?? ''}); keeping pid ${old.pid}`,
          );
          next.stop('replacement failed', { force: true });
          this.leaving.add(next);
          next.retiring = true;
          slot.current = old;
          old.retiring = false;
          this.leaving.delete(old);
          slot.restartsBefore -= old.state.restarts + 1;
          slot.lastReplaced = previousReason;
          return false;
        }
        this.emit(
          'log',
          `${this.name}/${slot.index}: pid ${next.pid} took over from pid ${old.pid ?? '-'} (${reason})`,
        );
        if (!old.settled) old.stop(reason);
        else {
          old.close();
          this.leaving.delete(old);
        }
      }
      return true;
    } finally {
      slot.busy = false;
    }
  }

  /** Restarts every slot one at a time (new config or module edit); queued behind any earlier roll. */
  rollingRestart(reason: string, config?: ProgramConfig): Promise<void> {
    if (config) this.config = config;
    const run = async () => {
      for (const slot of [...this.slots]) {
        if (!this.slots.includes(slot) || this.stopped) continue;
        if (slot.current.settled) {
          // Not running (FATAL/STOPPED): a fresh start with the new config is all it needs.
          slot.current.config = this.config;
          slot.current.start();
          continue;
        }
        await this.replace(slot, reason);
      }
    };
    this.rolling = this.rolling.then(run, run);
    return this.rolling;
  }

  /** `gmsup restart`: same as a rolling restart but also revives FATAL/STOPPED instances. */
  restart(index?: number): Promise<number> {
    const slots = index === undefined ? [...this.slots] : this.slots.filter((s) => s.index === index);
    const run = async () => {
      for (const slot of slots) {
        if (!this.slots.includes(slot)) continue;
        if (slot.current.settled) {
          slot.current.start();
          continue;
        }
        await this.replace(slot, 'restart requested');
      }
    };
    this.rolling = this.rolling.then(run, run);
    return this.rolling.then(() => slots.length);
  }

  /** Drains and stops every instance; resolves when all are settled or the deadline passes. */
  async stopAll(reason: string, opts: { force?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.dropSpare();
    const procs = this.all();
    for (const mp of procs) {
      if (mp.state.stateName === 'STOPPED' || mp.state.stateName === 'EXITED' || mp.state.stateName === 'FATAL')
        continue;
      mp.stop(reason, { force: opts.force });
    }
    const deadlineMs = this.config.spec.stopTimeoutMs + SUPERVISOR_TIMINGS.stopAllSlackMs;
    await Promise.all(procs.map((mp) => mp.until(['STOPPED', 'EXITED', 'FATAL'], deadlineMs)));
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
}
