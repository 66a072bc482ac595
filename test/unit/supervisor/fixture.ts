// A Program or Supervisor on a FakeSpawner and a ManualClock: no processes, no sleeps. `runFor` moves
// time in small steps and lets the fake children's replies run between them, as real time would.

import type { Config, ProgramConfig } from '../../../src/config/types.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { ErrorTally } from '../../../src/supervisor/error-tally.js';
import { LogSink } from '../../../src/supervisor/log-sink.js';
import { Program } from '../../../src/supervisor/program.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import type { WorkerSpec } from '../../../src/worker/spec.js';
import { FakeSpawner, settle, type FakeBehaviour } from '../../helpers/fake-spawner.js';

export function programConfig(
  over: Partial<Omit<ProgramConfig, 'spec'>> = {},
  spec: Partial<WorkerSpec> = {},
): ProgramConfig {
  const name = over.name ?? 'w';
  return {
    name,
    instances: 1,
    perCore: null,
    autoscale: null,
    maxMemoryBytes: null,
    maxLifetimeMs: null,
    restart: { startSecsMs: 1000, startRetries: 3, initialBackoffMs: 100, maxBackoffMs: 800 },
    source: { file: '/tmp/workers.yaml', line: 1, col: 1 },
    ...over,
    spec: {
      name,
      function: name,
      kind: 'command',
      command: ['cat'],
      servers: ['127.0.0.1:4730'],
      concurrency: 1,
      timeoutMs: null,
      env: {},
      cwd: '/tmp',
      maxJobs: null,
      stopTimeoutMs: 5000,
      ...spec,
    },
  };
}

export function daemonConfig(programs: ProgramConfig[]): Config {
  return {
    file: '/tmp/workers.yaml',
    stateDir: '/tmp/.gmsup/workers',
    servers: ['127.0.0.1:4730'],
    server: null,
    programs,
    logs: { maxBytes: 1_000_000, keep: 1 },
  };
}

function timeControls(clock: ManualClock) {
  return {
    /** Moves time by `ms` in steps of `stepMs`, letting replies and promise chains run after each. */
    async runFor(ms: number, stepMs = 50): Promise<void> {
      await settle();
      const end = clock.now() + ms;
      while (clock.now() < end) {
        clock.advance(Math.min(stepMs, end - clock.now()));
        await settle();
      }
    },
  };
}

/** State changes join the spawner's timeline, so the order of "1001 RUNNING" and "1000 <- worker:stop" shows. */
function traceStates(prog: Program, spawner: FakeSpawner): void {
  prog.on('state', (mp, _from, to) => {
    if (to !== 'STARTING') spawner.note(`${mp.lastPid ?? '-'} ${to}`);
  });
}

export function programHarness(config: ProgramConfig, behaviour: Partial<FakeBehaviour> = {}) {
  const clock = new ManualClock(0);
  const spawner = new FakeSpawner(behaviour);
  const prog = new Program(config, { spawner, clock });
  const logs: string[] = [];
  const failures: string[] = [];
  prog.on('log', (line) => logs.push(line));
  prog.on('failure', (context, err) => failures.push(`${context}: ${err instanceof Error ? err.message : err}`));
  traceStates(prog, spawner);
  return { clock, spawner, prog, logs, failures, ...timeControls(clock) };
}

export function supervisorHarness(programs: ProgramConfig[], behaviour: Partial<FakeBehaviour> = {}) {
  const clock = new ManualClock(0);
  const spawner = new FakeSpawner(behaviour);
  const log = new LogSink({ fileFor: () => null, maxBytes: 1_000_000, keep: 1, out: () => {} });
  const errors = new ErrorTally((line, worker) => log.daemon(line, worker));
  const sup = new Supervisor(daemonConfig(programs), { spawner, clock, log, errors });
  const lines = () => log.tail(undefined, 2000).map((l) => l.text);
  /** Starts the supervisor; its programs' state changes join the spawner's timeline. */
  const start = () => {
    sup.start();
    for (const prog of sup.programs.values()) traceStates(prog, spawner);
  };
  return { clock, spawner, sup, log, errors, lines, start, ...timeControls(clock) };
}
