// One supervised worker instance: holds its ProcState (process-state.ts decides), runs the effects
// through a Spawner and the Clock, talks IPC with the child, and keeps what was observed about it
// (jobs, usage, registration). Its fields change only through its own methods.

import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import type { ProgramConfig } from '../config/types.js';
import type { InstanceState } from '../control/snapshot.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ChildMessage } from '../worker/ipc-messages.js';
import { InstanceJobs } from './instance-jobs.js';
import {
  initialProcState,
  reduce,
  timingFor,
  type ProcEffect,
  type ProcEvent,
  type ProcState,
} from './process-state.js';
import type { RegistrationTrack } from './registration.js';
import type { ChildHandle, Spawner } from './spawner.js';

export interface ManagedEvents {
  state: [InstanceState, InstanceState];
  line: ['stdout' | 'stderr', string];
  /** The worker announced it is leaving by itself (max_jobs): start its replacement now. */
  leaving: [string];
  /** Function, ok, and how long the job took (as the worker measured it). */
  'job:end': [string, boolean, number];
  /** Something about this instance went wrong that is not a state change (a malformed IPC message). */
  problem: [string];
}

/** CPU and memory of one process, as a sampler saw them. */
export interface UsageSample {
  cpuPercent: number;
  rssBytes: number;
}

export interface ManagedProcessDeps {
  spawner: Spawner;
  clock: Clock;
  /** A pre-started worker process waiting for its init (warm spare), if the program keeps one. */
  takeSpare?: () => ChildHandle | null;
}

const HOST = hostname();
/** Wake-ups fire this much after their due time: real timers may fire a hair early by the wall clock. */
const WAKE_SLACK_MS = 2;
const SETTLED: readonly InstanceState[] = ['STOPPED', 'EXITED', 'FATAL'];
const NOT_REGISTERED: RegistrationTrack = { everRegistered: false, missingSinceMs: null, reregisteredAtMs: null };

export class ManagedProcess extends EventEmitter<ManagedEvents> {
  readonly jobs = new InstanceJobs();
  private machine: ProcState = initialProcState();
  private programConfig: ProgramConfig;
  private child: ChildHandle | null = null;
  private latestPid: number | null = null;
  private currentClientId: string | null = null;
  private latestUsage: UsageSample | null = null;
  private registered = 0;
  private track: RegistrationTrack = NOT_REGISTERED;
  private isRetiring = false;
  private expectedExit: string | null = null;
  private wakeTimer: TimerHandle | null = null;
  private readonly stateWaiters: Array<() => void> = [];
  private readonly clock: Clock;

  constructor(
    config: ProgramConfig,
    readonly index: number,
    private readonly deps: ManagedProcessDeps,
  ) {
    super();
    this.programConfig = config;
    this.clock = deps.clock;
  }

  get name(): string {
    return this.programConfig.name;
  }
  get config(): ProgramConfig {
    return this.programConfig;
  }
  /** The machine's record (read only: only the reducer makes a new one). */
  get state(): Readonly<ProcState> {
    return this.machine;
  }
  get stateName(): InstanceState {
    return this.machine.stateName;
  }
  get pid(): number | null {
    return this.machine.pid;
  }
  /** The pid of the latest child, kept after it exits (for log lines about that exit). */
  get lastPid(): number | null {
    return this.latestPid;
  }
  /** The SET_CLIENT_ID of the live child (`host:name:index:pid`), null when none runs. */
  get clientId(): string | null {
    return this.currentClientId;
  }
  get usage(): UsageSample | null {
    return this.latestUsage;
  }
  /** Job servers that list this instance's client id (from the latest sample). */
  get registeredOn(): number {
    return this.registered;
  }
  get registration(): Readonly<RegistrationTrack> {
    return this.track;
  }
  /** True while a replacement took this instance's place (or it was scaled away) and it drains out. */
  get retiring(): boolean {
    return this.isRetiring;
  }
  /** No process runs and none is on its way: settled states, or BACKOFF between two processes. */
  get settled(): boolean {
    return SETTLED.includes(this.machine.stateName) || (this.machine.stateName === 'BACKOFF' && this.child === null);
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  stop(reason: string, opts: { restart?: boolean; force?: boolean } = {}): void {
    this.dispatch({ type: 'stop', reason, restart: opts.restart, force: opts.force });
  }

  /** Marks it as leaving its slot (or, `false`, back in it after a failed replacement). */
  setRetiring(retiring: boolean): void {
    this.isRetiring = retiring;
  }

  /** New settings: daemon-side ones apply at once, the spec with the next spawn. */
  useConfig(config: ProgramConfig): void {
    this.programConfig = config;
  }

  recordUsage(sample: UsageSample | null): void {
    this.latestUsage = sample;
  }

  recordRegistration(registeredOn: number): void {
    this.registered = registeredOn;
  }

  /** The registration check's bookkeeping (registration.ts decides it). */
  trackRegistration(track: RegistrationTrack): void {
    this.track = track;
  }

  reregister(): void {
    this.child?.send({ type: 'worker:reregister' });
  }

  /** Resolves true once the instance is in one of `states` (checked after every transition), else false. */
  until(states: readonly InstanceState[], timeoutMs: number): Promise<boolean> {
    if (states.includes(this.machine.stateName)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        if (!states.includes(this.machine.stateName)) {
          this.stateWaiters.push(waiter);
          return;
        }
        this.clock.clearTimeout(timer);
        resolve(true);
      };
      const timer = this.clock.setTimeout(() => {
        const i = this.stateWaiters.indexOf(waiter);
        if (i >= 0) this.stateWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.stateWaiters.push(waiter);
    });
  }

  close(): void {
    this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  private dispatch(event: ProcEvent): void {
    const step = reduce(this.machine, event, this.clock.now(), timingFor(this.programConfig));
    this.machine = step.state;
    for (const effect of step.effects) this.run(effect);
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
        this.clock.clearTimeout(this.wakeTimer);
        const delayMs = Math.max(0, effect.atMs - this.clock.now()) + WAKE_SLACK_MS;
        this.wakeTimer = this.clock.setTimeout(() => {
          this.wakeTimer = null;
          this.dispatch({ type: 'tick' });
        }, delayMs);
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
    this.jobs.clearInFlight();
    this.registered = 0;
    this.track = NOT_REGISTERED;
    this.latestUsage = null;
    const config = this.programConfig;
    // A warm spare has Node and the worker runtime loaded already: only the init is left to do.
    const child =
      this.deps.takeSpare?.() ??
      this.deps.spawner.spawn({
        cwd: config.spec.cwd,
        env: { GMSUP_PROGRAM: config.name, GMSUP_INDEX: String(this.index) },
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
      this.currentClientId = null;
      this.registered = 0;
      this.dispatch({ type: 'exit', code, signal, expected: this.expectedExit ?? undefined });
    });
    if (child.pid === null) return; // the error event follows
    this.latestPid = child.pid;
    this.currentClientId = `${HOST}:${config.name}:${this.index}:${child.pid}`;
    this.dispatch({ type: 'spawned', pid: child.pid });
    child.send({
      type: 'worker:init',
      spec: config.spec,
      clientId: this.currentClientId,
      index: this.index,
      ipcBatchMs: SUPERVISOR_TIMINGS.ipcBatchMs,
    });
  }

  private jobEnded(handle: string, fn: string, ok: boolean, durationMs: number): void {
    this.jobs.ended(handle, ok);
    this.emit('job:end', fn, ok, durationMs);
  }

  private onMessage(child: ChildHandle, m: ChildMessage): void {
    if (this.child !== child) return;
    switch (m.type) {
      case 'worker:ready':
        return this.dispatch({ type: 'ready' });
      case 'worker:init-failed':
        return this.dispatch({ type: 'init-failed', error: m.error.message });
      case 'job:start':
        return this.jobs.started(m.job);
      case 'job:starts':
        for (const job of m.jobs) this.jobs.started(job);
        return;
      case 'job:end':
        return this.jobEnded(m.handle, m.function, m.ok, m.durationMs);
      case 'job:ends':
        for (const e of m.ends) this.jobEnded(e.handle, e.function, e.ok, e.durationMs);
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
