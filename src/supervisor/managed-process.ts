// One supervised worker instance: holds its ProcState (process-state.ts decides), runs the effects
// through a Spawner and timers, talks IPC with the child, and keeps the per-instance counters.

import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { InstanceState } from '../control/snapshot.js';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import type { ProgramConfig } from '../config/types.js';
import type { ChildMessage, CurrentJob } from '../worker/ipc-messages.js';
import {
  initialProcState,
  reduce,
  timingFor,
  type ProcEffect,
  type ProcEvent,
  type ProcState,
} from './process-state.js';
import type { ChildHandle, Spawner } from './spawner.js';

export interface ManagedEvents {
  state: [InstanceState, InstanceState];
  line: ['stdout' | 'stderr', string];
  /** The worker announced it is leaving by itself (max_jobs): start its replacement now. */
  leaving: [string];
  'job:end': [string, boolean];
  /** Something about this instance went wrong that is not a state change (a malformed IPC message). */
  problem: [string];
}

const HOST = hostname();

export class ManagedProcess extends EventEmitter<ManagedEvents> {
  state: ProcState = initialProcState();
  child: ChildHandle | null = null;
  /** The pid of the latest child, kept after it exits (for log lines about that exit). */
  lastPid: number | null = null;
  clientId: string | null = null;
  jobsDone = 0;
  jobsFailed = 0;
  readonly currentJobs = new Map<string, CurrentJob>();
  cpuPercent: number | null = null;
  rssBytes: number | null = null;
  /** Set while a replacement has taken this instance's place and it is draining out. */
  retiring = false;
  /** Registration bookkeeping (registration.ts decides). */
  registeredOn = 0;
  everRegistered = false;
  missingSinceMs: number | null = null;
  reregisteredAtMs: number | null = null;
  private expectedExit: string | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private readonly stateWaiters: Array<() => void> = [];

  constructor(
    public config: ProgramConfig,
    readonly index: number,
    private readonly spawner: Spawner,
    private readonly now: () => number = Date.now,
    /** A pre-started worker process waiting for its init (warm spare), if the program keeps one. */
    private readonly takeSpare: () => ChildHandle | null = () => null,
  ) {
    super();
  }

  get name(): string {
    return this.config.name;
  }
  get pid(): number | null {
    return this.state.pid;
  }
  get stateName(): InstanceState {
    return this.state.stateName;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  stop(reason: string, opts: { restart?: boolean; force?: boolean } = {}): void {
    this.dispatch({ type: 'stop', reason, restart: opts.restart, force: opts.force });
  }

  /** Resolves once the instance is in one of `states` (checked after every transition). */
  until(states: InstanceState[], timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (states.includes(this.state.stateName)) {
          clearTimeout(timer);
          resolve(true);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        const i = this.stateWaiters.indexOf(waiter);
        if (i >= 0) this.stateWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      timer.unref(); // a pending wait must not hold a shutting-down daemon open
      const waiter = () => {
        if (!check()) this.stateWaiters.push(waiter);
      };
      if (!check()) this.stateWaiters.push(waiter);
    });
  }

  get settled(): boolean {
    return (
      ['STOPPED', 'EXITED', 'FATAL'].includes(this.state.stateName) ||
      (this.state.stateName === 'BACKOFF' && this.child === null)
    );
  }

  reregister(): void {
    this.child?.send({ type: 'worker:reregister' });
  }

  dispatch(event: ProcEvent): void {
    const step = reduce(this.state, event, this.now(), timingFor(this.config));
    this.state = step.state;
    for (const effect of step.effects) this.run(effect);
  }

  close(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  private run(effect: ProcEffect): void {
    switch (effect.type) {
      case 'spawn':
        return this.spawnChild();
      case 'send-stop':
        if (!this.child?.send({ type: 'worker:stop', reason: effect.reason })) this.child?.signalGroup('SIGTERM');
        return;
      case 'signal':
        this.child?.signalGroup(effect.signal);
        return;
      case 'wake': {
        if (this.wakeTimer) clearTimeout(this.wakeTimer);
        this.wakeTimer = setTimeout(
          () => {
            this.wakeTimer = null;
            this.dispatch({ type: 'tick' });
          },
          Math.max(0, effect.atMs - this.now()) + 2,
        ); // +2: timers may fire a hair early by the wall clock
        this.wakeTimer.unref();
        return;
      }
      case 'state':
        this.emit('state', effect.from, effect.to);
        for (const w of this.stateWaiters.splice(0)) w();
        return;
    }
  }

  private spawnChild(): void {
    this.expectedExit = null;
    this.currentJobs.clear();
    this.registeredOn = 0;
    this.everRegistered = false;
    this.missingSinceMs = null;
    this.reregisteredAtMs = null;
    this.cpuPercent = null;
    this.rssBytes = null;
    const spec = this.config;
    // A warm spare has Node and the worker runtime loaded already: only the init is left to do.
    const child =
      this.takeSpare() ??
      this.spawner.spawn({
        cwd: spec.spec.cwd,
        env: { GMSUP_PROGRAM: spec.name, GMSUP_INDEX: String(this.index) },
      });
    this.child = child;
    child.on('line', (stream, text) => this.emit('line', stream, text));
    child.on('message', (m) => this.onMessage(child, m));
    child.on('invalid-message', (problem) => {
      if (this.child === child) this.emit('problem', `malformed IPC message dropped: ${problem}`);
    });
    child.on('error', (err) => {
      if (this.child !== child) return;
      this.child = null;
      this.dispatch({ type: 'spawn-failed', error: err.message });
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.clientId = null;
      this.registeredOn = 0;
      this.dispatch({ type: 'exit', code, signal, expected: this.expectedExit ?? undefined });
    });
    if (child.pid === null) return; // the error event follows
    this.lastPid = child.pid;
    this.clientId = `${HOST}:${spec.name}:${this.index}:${child.pid}`;
    this.dispatch({ type: 'spawned', pid: child.pid });
    child.send({
      type: 'worker:init',
      spec: spec.spec,
      clientId: this.clientId,
      index: this.index,
      ipcBatchMs: SUPERVISOR_TIMINGS.ipcBatchMs,
    });
  }

  private jobEnded(handle: string, fn: string, ok: boolean): void {
    this.currentJobs.delete(handle);
    if (ok) this.jobsDone++;
    else this.jobsFailed++;
    this.emit('job:end', fn, ok);
  }

  private onMessage(child: ChildHandle, m: ChildMessage): void {
    if (this.child !== child) return;
    switch (m.type) {
      case 'worker:ready':
        return this.dispatch({ type: 'ready' });
      case 'worker:init-failed':
        return this.dispatch({ type: 'init-failed', error: m.error.message });
      case 'job:start':
        this.currentJobs.set(m.job.handle, m.job);
        return;
      case 'job:starts':
        for (const job of m.jobs) this.currentJobs.set(job.handle, job);
        return;
      case 'job:end':
        return this.jobEnded(m.handle, m.function, m.ok);
      case 'job:ends':
        for (const e of m.ends) this.jobEnded(e.handle, e.function, e.ok);
        return;
      case 'worker:exiting':
        if (m.reason === 'max-jobs') {
          this.expectedExit = 'max_jobs reached';
          this.emit('leaving', this.expectedExit);
        }
        return;
      case 'worker:draining':
      case 'server:state':
        return;
    }
  }
}
