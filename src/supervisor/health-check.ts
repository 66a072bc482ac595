// Takes each round of samples (samplers.ts) and decides what it means, through the pure rules:
// registration.ts (re-register, then restart), recycling.ts (max_memory, max_lifetime), alarms.ts
// (queues). Instances record their samples through their own methods; the actions go through Program
// and ManagedProcess. Holds the latest server and daemon figures for the Snapshot.

import type { Alarm, ServerInfo } from '../control/snapshot.js';
import { AlarmTracker } from './alarms.js';
import type { ErrorTally } from './error-tally.js';
import type { LogSink } from './log-sink.js';
import type { ManagedProcess } from './managed-process.js';
import type { Program } from './program.js';
import { recycleReason } from './recycling.js';
import { checkRegistration, clientIdSets, countRegistration, type RegistrationCount } from './registration.js';
import type { Samples, UsageSample } from './samplers.js';
import type { Supervisor } from './supervisor.js';

export class HealthCheck {
  private latestServers: ServerInfo[] = [];
  private latestAlarms: Alarm[] = [];
  private latestDaemonUsage: UsageSample | null = null;
  private readonly alarmTracker = new AlarmTracker();
  private readonly unreachable = new Set<string>();

  constructor(
    private readonly sup: Supervisor,
    private readonly log: LogSink,
    private readonly errors: ErrorTally,
    private readonly embeddedAddress: string | null,
  ) {}

  get servers(): readonly ServerInfo[] {
    return this.latestServers;
  }
  get alarms(): readonly Alarm[] {
    return this.latestAlarms;
  }
  get daemonUsage(): UsageSample | null {
    return this.latestDaemonUsage;
  }

  observe(samples: Samples): void {
    const now = samples.takenAtMs;
    this.latestDaemonUsage = samples.daemon;
    this.latestServers = samples.servers.map((s) => ({
      address: s.address,
      embedded: s.address === this.embeddedAddress,
      reachable: s.reachable,
      error: s.error,
      polledAtMs: now,
      functions: s.queues,
    }));
    this.logReachability(samples);
    const sets = clientIdSets(new Map(samples.servers.map((s) => [s.address, s.workers])));
    for (const prog of this.sup.programs.values()) {
      for (const mp of prog.all()) {
        mp.recordUsage(mp.pid === null ? null : (samples.usage.get(mp.pid) ?? null));
        const count = countRegistration(mp.clientId, sets, mp.config.spec.servers);
        mp.recordRegistration(count.registeredOn);
        if (!this.sup.isStopping && mp.stateName === 'RUNNING' && !mp.retiring) this.judgeRegistration(mp, count, now);
      }
      if (!this.sup.isStopping) this.judgeRecycling(prog, now);
    }
    const configured = [...this.sup.programs.values()]
      .filter((p) => !p.stopped && p.desired > 0)
      .map((p) => p.config.spec.function);
    this.latestAlarms = this.alarmTracker.update(now, this.latestServers, this.sup.jobsDoneByFunction, configured);
  }

  private logReachability(samples: Samples): void {
    for (const s of samples.servers) {
      if (s.reachable && this.unreachable.delete(s.address))
        this.log.daemon(`job server ${s.address} is reachable again`);
      if (!s.reachable && !this.unreachable.has(s.address)) {
        this.unreachable.add(s.address);
        this.log.daemon(`job server ${s.address} is unreachable: ${s.error ?? '?'} (workers keep retrying it)`);
      }
    }
  }

  private judgeRegistration(mp: ManagedProcess, count: RegistrationCount, now: number): void {
    const { track, action } = checkRegistration(mp.registration, count, now);
    mp.trackRegistration(track);
    const who = `${mp.name}/${mp.index}/${mp.pid}`;
    if (action === 'reregister') {
      const where = `${count.registeredOn}/${count.reachable} reachable servers`;
      this.log.daemon(`${who}: registered on ${where}; asking it to re-register`, mp.name);
      mp.reregister();
    } else if (action === 'restart') {
      this.log.daemon(`${who}: still not registered after re-register request; restarting it`, mp.name);
      mp.stop('registration lost', { restart: true });
    }
  }

  private judgeRecycling(prog: Program, now: number): void {
    const limits = prog.config;
    if (limits.maxMemoryBytes === null && limits.maxLifetimeMs === null) return;
    for (const slot of prog.slots) {
      const mp = slot.current;
      if (slot.replacing || mp.stateName !== 'RUNNING') continue;
      const why = recycleReason(limits, mp.usage?.rssBytes ?? null, mp.state.spawnedAtMs, now);
      if (!why) continue;
      const who = `${prog.name}/${slot.index}/${mp.pid}`;
      this.log.daemon(`${who}: recycling (${why})`, prog.name);
      prog.replace(slot, why).catch((err) => this.errors.record(prog.name, `${who}: recycling replace`, err));
    }
  }
}
