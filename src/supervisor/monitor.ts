// Once a second: CPU/RSS of every child in one pidusage call, each job server's `workers` and `status`,
// registration checks (re-register / restart), recycling by max_memory and max_lifetime, alarms.

import pidusage from 'pidusage';
import { adminStatus, adminWorkers } from '../client/index.js';
import type { Alarm, ServerInfo } from '../control/snapshot.js';
import type { WorkerLine } from '../protocol/admin-text.js';
import { AlarmTracker } from './alarms.js';
import type { LogSink } from './log-sink.js';
import type { ManagedProcess } from './managed-process.js';
import { checkRegistration, clientIdSets, countRegistration, type WorkersByServer } from './registration.js';
import type { Supervisor } from './supervisor.js';

const POLL_TIMEOUT_MS = 900;

export class Monitor {
  servers: ServerInfo[] = [];
  alarms: Alarm[] = [];
  daemonCpuPercent: number | null = null;
  daemonRssBytes: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly alarmTracker = new AlarmTracker();
  private readonly unreachableLogged = new Set<string>();

  constructor(
    private readonly sup: Supervisor,
    private readonly log: LogSink,
    private readonly embeddedAddress: string | null,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    const loop = () => {
      this.timer = setTimeout(() => {
        this.tick().finally(() => {
          if (this.timer) loop();
        });
      }, this.intervalMs);
    };
    loop();
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Every server any program uses, plus the embedded one. */
  serverList(): string[] {
    const set = new Set<string>();
    if (this.embeddedAddress) set.add(this.embeddedAddress);
    for (const s of this.sup.config.servers) set.add(s);
    for (const p of this.sup.programs.values()) for (const s of p.config.spec.servers) set.add(s);
    return [...set];
  }

  async tick(): Promise<void> {
    if (this.running) return; // a slow poll never stacks up
    this.running = true;
    try {
      const procs = this.sup.instances();
      const [, workers] = await Promise.all([this.sampleUsage(procs), this.pollServers()]);
      if (this.sup.isStopping) return;
      const now = Date.now();
      this.checkRegistrations(procs, workers, now);
      this.checkRecycling(now);
      const configured = [...this.sup.programs.values()]
        .filter((p) => !p.stopped && p.desired > 0)
        .map((p) => p.config.spec.function);
      this.alarms = this.alarmTracker.update(now, this.servers, this.sup.jobsDoneByFunction, configured);
    } catch (err) {
      this.log.daemon(`monitor: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running = false;
    }
  }

  private async sampleUsage(procs: ManagedProcess[]): Promise<void> {
    const pids = [process.pid, ...procs.map((p) => p.pid).filter((p): p is number => p !== null)];
    let stats: Record<string, { cpu: number; memory: number } | undefined>;
    try {
      stats = await pidusage(pids);
    } catch {
      // One pid exited between listing and sampling: fall back to one call per pid.
      stats = {};
      await Promise.all(
        pids.map(async (pid) => {
          try {
            stats[pid] = await pidusage(pid);
          } catch {
            /* gone */
          }
        }),
      );
    }
    for (const p of procs) {
      const s = p.pid !== null ? stats[p.pid] : undefined;
      p.cpuPercent = s ? Math.round(s.cpu * 10) / 10 : null;
      p.rssBytes = s ? s.memory : null;
    }
    const self = stats[process.pid];
    this.daemonCpuPercent = self ? Math.round(self.cpu * 10) / 10 : null;
    this.daemonRssBytes = self?.memory ?? null;
  }

  private async pollServers(): Promise<WorkersByServer> {
    const list = this.serverList();
    const workers: WorkersByServer = new Map();
    const now = Date.now();
    this.servers = await Promise.all(
      list.map(async (address): Promise<ServerInfo> => {
        const embedded = address === this.embeddedAddress;
        try {
          const opts = { replyTimeoutMs: POLL_TIMEOUT_MS, connectTimeoutMs: POLL_TIMEOUT_MS };
          const [w, st] = await Promise.all([adminWorkers(address, opts), adminStatus(address, opts)]);
          workers.set(address, w as WorkerLine[]);
          if (this.unreachableLogged.delete(address)) this.log.daemon(`job server ${address} is reachable again`);
          return {
            address,
            embedded,
            reachable: true,
            error: null,
            polledAtMs: now,
            functions: st.map((f) => ({
              function: f.name,
              queued: Math.max(0, f.total - f.running),
              running: f.running,
              availableWorkers: f.availableWorkers,
            })),
          };
        } catch (err) {
          workers.set(address, null);
          const msg = err instanceof Error ? err.message : String(err);
          if (!this.unreachableLogged.has(address)) {
            this.unreachableLogged.add(address);
            this.log.daemon(`job server ${address} is unreachable: ${msg} (workers keep retrying it)`);
          }
          return { address, embedded, reachable: false, error: msg, polledAtMs: now, functions: [] };
        }
      }),
    );
    return workers;
  }

  private checkRegistrations(procs: ManagedProcess[], workers: WorkersByServer, now: number): void {
    const sets = clientIdSets(workers);
    for (const mp of procs) {
      const count = countRegistration(mp.clientId, sets, mp.config.spec.servers);
      mp.registeredOn = count.registeredOn;
      if (mp.stateName !== 'RUNNING' || mp.retiring) continue;
      const { track, action } = checkRegistration(mp, count, now);
      mp.everRegistered = track.everRegistered;
      mp.missingSinceMs = track.missingSinceMs;
      mp.reregisteredAtMs = track.reregisteredAtMs;
      if (action === 'reregister') {
        this.log.daemon(
          `${mp.name}/${mp.index}/${mp.pid}: registered on ${count.registeredOn}/${count.reachable} reachable servers; asking it to re-register`,
          mp.name,
        );
        mp.reregister();
      } else if (action === 'restart') {
        this.log.daemon(
          `${mp.name}/${mp.index}/${mp.pid}: still not registered after re-register request; restarting it`,
          mp.name,
        );
        mp.stop('registration lost', { restart: true });
      }
    }
  }

  private checkRecycling(now: number): void {
    for (const prog of this.sup.programs.values()) {
      const { maxMemoryBytes, maxLifetimeMs } = prog.config;
      if (maxMemoryBytes === null && maxLifetimeMs === null) continue;
      for (const slot of prog.slots) {
        const mp = slot.current;
        if (slot.busy || mp.stateName !== 'RUNNING') continue;
        let why: string | null = null;
        if (maxMemoryBytes !== null && mp.rssBytes !== null && mp.rssBytes > maxMemoryBytes)
          why = `max_memory: RSS ${Math.round(mp.rssBytes / 1048576)} MiB > ${Math.round(maxMemoryBytes / 1048576)} MiB`;
        else if (maxLifetimeMs !== null && mp.state.spawnedAtMs !== null && now - mp.state.spawnedAtMs > maxLifetimeMs)
          why = `max_lifetime ${Math.round(maxLifetimeMs / 1000)} s reached`;
        if (!why) continue;
        this.log.daemon(`${prog.name}/${slot.index}/${mp.pid}: recycling (${why})`, prog.name);
        prog.replace(slot, why).catch(() => {});
      }
    }
  }
}
