// A Spawner for the supervisor's unit tests: no processes, children a test drives by hand (ready, exit,
// crash, fail to spawn) or lets answer like a well-behaved worker. Everything a child is sent or
// signalled is kept, and every step lands in one timeline, so tests can check the order of events.
// Asynchronous like the real one: replies and exits arrive in a microtask, never inside the call.

import { EventEmitter } from 'node:events';
import type { ChildEvents, ChildHandle, SpawnOptions, Spawner } from '../../src/supervisor/spawner.js';
import type { ChildMessage, ParentMessage } from '../../src/worker/ipc-messages.js';

/** How a fake child answers on its own; anything `'none'` is left for the test to do. */
export interface FakeBehaviour {
  /** On `worker:init`: say ready, report an init failure and exit 1, exit 1 at once, or nothing. */
  onInit: 'ready' | 'init-failed' | 'exit' | 'none';
  /** On `worker:stop`: finish draining and exit 0, or ignore it (a stuck worker). */
  onStop: 'exit' | 'none';
  /** On SIGTERM to its group: exit by the signal, or ignore it. SIGKILL always ends it. */
  onTerm: 'exit' | 'none';
}

export const WELL_BEHAVED: FakeBehaviour = { onInit: 'ready', onStop: 'exit', onTerm: 'exit' };

export class FakeChild extends EventEmitter<ChildEvents> implements ChildHandle {
  readonly sent: ParentMessage[] = [];
  readonly signals: NodeJS.Signals[] = [];
  behaviour: FakeBehaviour;
  private exited = false;

  constructor(
    private readonly spawner: FakeSpawner,
    readonly options: SpawnOptions,
    readonly pid: number | null,
  ) {
    super();
    this.behaviour = { ...spawner.behaviour };
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** The instance index the daemon gave it (GMSUP_INDEX, or the index of its init for a spare). */
  get index(): number | null {
    const init = this.sent.find((m) => m.type === 'worker:init');
    if (init?.type === 'worker:init' && init.index !== undefined) return init.index;
    const env = this.options.env.GMSUP_INDEX;
    return env === undefined ? null : Number(env);
  }

  get initialised(): boolean {
    return this.sent.some((m) => m.type === 'worker:init');
  }

  send(msg: ParentMessage): boolean {
    if (this.exited || this.pid === null) return false;
    this.sent.push(msg);
    this.spawner.note(`${this.pid} <- ${msg.type}`);
    if (msg.type === 'worker:init') {
      if (this.behaviour.onInit === 'ready') this.later(() => this.ready());
      else if (this.behaviour.onInit === 'init-failed') this.later(() => this.initFailed('cannot load the module'));
      else if (this.behaviour.onInit === 'exit') this.later(() => this.exit(1));
    } else if (msg.type === 'worker:stop' && this.behaviour.onStop === 'exit') {
      this.later(() => this.exit(0));
    }
    return true;
  }

  signalGroup(signal: NodeJS.Signals): boolean {
    if (this.exited || this.pid === null) return false;
    this.signals.push(signal);
    this.spawner.note(`${this.pid} <- ${signal}`);
    if (signal === 'SIGKILL' || (signal === 'SIGTERM' && this.behaviour.onTerm === 'exit'))
      this.later(() => this.exit(null, signal));
    return true;
  }

  // What a test makes the child do (each ignored once the child is gone).

  ready(functions = ['fn']): void {
    this.message({ type: 'worker:ready', functions });
  }

  initFailed(message: string): void {
    this.message({ type: 'worker:init-failed', error: { code: 'SPAWN_ERROR', message } });
    this.exit(1);
  }

  message(msg: ChildMessage): void {
    if (!this.exited) this.emit('message', msg);
  }

  exit(code: number | null = 0, signal: NodeJS.Signals | null = null): void {
    if (this.exited) return;
    this.exited = true;
    this.spawner.note(`${this.pid} exit ${signal ?? code}`);
    this.emit('exit', code, signal);
  }

  crash(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.exit(null, signal);
  }

  private later(fn: () => void): void {
    queueMicrotask(fn);
  }
}

export class FakeSpawner implements Spawner {
  readonly children: FakeChild[] = [];
  /** Every spawn, message, signal and exit in order (`spawn 1000`, `1000 <- worker:stop`, ...). */
  readonly timeline: string[] = [];
  /** How children spawned from now on answer by themselves. */
  behaviour: FakeBehaviour;
  private nextPid = 1000;
  private failures: string[] = [];

  constructor(behaviour: Partial<FakeBehaviour> = {}) {
    this.behaviour = { ...WELL_BEHAVED, ...behaviour };
  }

  /** The next `count` spawns fail (no pid; an error event follows), with this error message. */
  failNext(count = 1, message = 'spawn EAGAIN'): void {
    for (let i = 0; i < count; i++) this.failures.push(message);
  }

  spawn(options: SpawnOptions): FakeChild {
    const failure = this.failures.shift();
    const child = new FakeChild(this, options, failure === undefined ? this.nextPid++ : null);
    this.children.push(child);
    if (failure !== undefined) {
      this.note(`spawn failed (${failure})`);
      queueMicrotask(() => child.emit('error', new Error(failure)));
    } else {
      this.note(`spawn ${child.pid}${options.env.GMSUP_SPARE ? ' (spare)' : ''}`);
    }
    return child;
  }

  note(entry: string): void {
    this.timeline.push(entry);
  }

  /** Children alive now. */
  live(): FakeChild[] {
    return this.children.filter((c) => c.alive && c.pid !== null);
  }

  byPid(pid: number | null): FakeChild {
    const c = this.children.find((x) => x.pid === pid);
    if (!c) throw new Error(`no fake child with pid ${pid}`);
    return c;
  }

  /** Position of the first timeline entry equal to `entry` (-1 when absent). */
  when(entry: string): number {
    return this.timeline.indexOf(entry);
  }
}

/** Lets queued microtasks and promise chains run (a few event-loop turns; no time passes). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
