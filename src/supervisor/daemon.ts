// The daemon's lifetime: claims the control socket, starts the embedded server BEFORE the workers, runs
// supervisor + samplers + health check + autoscaler + watcher, serves control calls, reloads on demand,
// and shuts down in order. The composition root of the supervisor: the real Spawner and Clock are chosen here.

import { closeSync, rmSync, writeSync } from 'node:fs';
import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import { bindEmbeddedServer } from '../config/embedded.js';
import { loadConfig } from '../config/load.js';
import { connectAddress } from '../config/validate.js';
import type { Config } from '../config/types.js';
import { ControlServer, type ControlHandler } from '../control/control-server.js';
import type { ReloadPlanEntry } from '../control/protocol.js';
import { startJobServer, type JobServer } from '../server/index.js';
import { systemClock } from '../shared/clock.js';
import { GmsupError } from '../shared/errors.js';
import { formatHostPort, type HostPort } from '../shared/host-port.js';
import { listenError } from '../shared/listen-error.js';
import { openPrivateFile } from '../shared/state-files.js';
import { Autoscaler } from './autoscaler.js';
import { ErrorTally } from './error-tally.js';
import { HealthCheck } from './health-check.js';
import { LogSink } from './log-sink.js';
import { precompileModules } from './precompile.js';
import { SampleLoop } from './samplers.js';
import { prepareState } from './state-setup.js';
import { buildSnapshot } from './snapshot.js';
import { nodeSpawner } from './spawner.js';
import { Supervisor } from './supervisor.js';
import { ConfigWatcher } from './watch.js';
import { describeWorker, signalWorker } from './worker-commands.js';
import { checkDaemonHttp, startDaemonHttp } from './daemon-http.js';
import type { HttpListener } from '../http/index.js';

export interface DaemonOptions {
  configFile: string;
  /** Also write every log line to stdout (the foreground daemon; a detached one has daemon.log only). */
  echoToStdout: boolean;
  /** Called once the control socket answers and the workers were started. */
  onReady?: () => void;
}

type ReloadResult = { ok: true; plan: ReloadPlanEntry[] } | { ok: false; error: unknown };

/** How long a reload in progress may finish before the shutdown goes on without it. */
const RELOAD_AT_SHUTDOWN_MS = 2000;

export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const clock = systemClock;
  let config = await loadConfig(opts.configFile); // invalid -> CONFIG_INVALID before anything starts
  checkDaemonHttp(config);
  // With `listen: host:0` the embedded server picks a port; every load is bound to that same port.
  let bound: HostPort | null = null;
  const load = async (file = config.file): Promise<Config> => {
    const c = await loadConfig(file);
    return bound ? bindEmbeddedServer(c, bound) : c;
  };
  const paths = prepareState(config); // STATE_UNSAFE before anything is written
  const log = new LogSink({
    settings: config.logs,
    daemonFile: paths.daemonLog,
    workerFile: paths.workerLog,
    echoFd: opts.echoToStdout ? 1 : null,
    fallback: (text) => process.stderr.write(text),
  });
  log.open(config.programs.map((p) => p.name)); // a symbolic link among the log files: refused here
  let logSettings = config.logs;
  const errors = new ErrorTally((line, worker) => log.daemon(line, worker));
  const startedAtMs = clock.now();
  let configError: string | null = null;
  let sup: Supervisor | null = null;
  let health: HealthCheck | null = null;
  let autoscaler: Autoscaler | null = null;
  let shutdownRequested: ((force: boolean) => void) | null = null;
  const done = new Promise<boolean>((resolve) => {
    shutdownRequested = resolve;
  });
  // A second SIGINT/SIGTERM forces; a `gmsup stop` does not count, so a service manager's SIGTERM after
  // its ExecStop (`gmsup stop`) gave up waiting does not cut the drain short (docs/deploy.md).
  let signals = 0;
  let stopping = false;
  const requestStop = (why: string, bySignal: boolean) => {
    if (bySignal) signals++;
    const force = signals >= 2;
    if (!stopping) log.daemon(`${why}: stopping (drain, then TERM/KILL); a second signal forces`);
    else if (force && signals === 2) log.daemon(`${why} again: forcing`);
    else log.daemon(`${why}: already stopping (draining)`);
    stopping = true;
    if (force && signals === 2 && sup) void sup.stopAll({ force: true });
    shutdownRequested?.(force);
  };

  // Reloads run one after another and never reject: an invalid file is logged and kept in the
  // Snapshot (configError), any other failure is logged and counted; `gmsup reload` gets either back.
  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, plan: [] });
  const reload = (source: string): Promise<ReloadResult> => {
    const run = async (): Promise<ReloadResult> => {
      if (!sup || sup.isStopping) return { ok: true, plan: [] };
      let next: Config;
      try {
        next = await load();
      } catch (err) {
        configError = err instanceof Error ? err.message : String(err);
        log.daemon(`reload (${source}) rejected, the running config stays in force:\n${configError}`);
        return { ok: false, error: err };
      }
      configError = null;
      if (!sameLogSettings(logSettings, next.logs)) {
        logSettings = next.logs;
        log.configure(next.logs);
        log.daemon(`reload (${source}): logs settings now ${JSON.stringify(next.logs)}`);
      }
      for (const w of next.warnings ?? []) log.daemon(`reload (${source}): warning: ${w}`);
      try {
        await precompileModules(next.programs, (l, w) => log.daemon(l, w));
        const plan = sup.apply(next);
        watcher.setFiles(watchedFiles(next));
        const acted = plan.filter((e) => e.action !== 'unchanged');
        const what = acted.map((e) => `${e.worker} ${e.action} (${e.detail})`).join('; ');
        log.daemon(`reload (${source}): ${acted.length === 0 ? 'no changes' : what}`);
        return { ok: true, plan };
      } catch (err) {
        errors.record(null, `reload (${source})`, err);
        return { ok: false, error: err };
      }
    };
    reloading = reloading.then(run);
    return reloading;
  };

  const need = (): Supervisor => {
    if (!sup) throw new GmsupError('NO_DAEMON', 'the daemon is still starting');
    return sup;
  };
  const snapshot = () =>
    buildSnapshot(
      need(),
      health,
      errors,
      { configFile: config.file, startedAtMs, configError, logLinesDropped: log.droppedLines },
      clock.now(),
      autoscaler,
    );
  const handler: ControlHandler = {
    status: snapshot,
    stop: () => {
      setImmediate(() => requestStop('stop requested', false));
      return { stopping: true };
    },
    reload: async () => {
      const r = await reload('gmsup reload');
      if (!r.ok) throw r.error;
      return { plan: r.plan };
    },
    // A candidate file is validated on its own and bound to the running embedded port like a reload.
    plan: async (p) => ({ plan: need().plan(await load(p.file)) }),
    restart: async (p) => ({ restarted: await need().restart(p.name, p.index) }),
    scale: (p) => need().scale(p.name, p.instances),
    'stop-worker': async (p) => ({ stopped: await need().stopProgram(p.name) }),
    'start-worker': (p) => ({ started: need().startProgram(p.name) }),
    signal: (p) => signalWorker(need(), log, p),
    describe: (p) => describeWorker(need(), p.name, snapshot()),
    logs: (p) => ({ lines: log.tail(p.name, Math.min(Math.max(1, p.lines ?? 100), 2000)) }),
    followLogs: (name, onLine) =>
      log.follow((l) => {
        if (!name || l.worker === name) onLine(l);
      }),
  };

  const control = await ControlServer.listen(paths.controlSocket, handler); // ALREADY_RUNNING if live
  const pidFile = paths.pidFile;
  writePidFile(pidFile);
  let server: JobServer | null = null;
  let sampler: SampleLoop | null = null;
  let http: HttpListener | null = null;
  const watcher = new ConfigWatcher(config.file, watchedFiles(config), (what) => {
    if (what === 'config') void reload('file changed');
    else restartModuleUsers(what);
  });
  const onSignal = (sig: NodeJS.Signals) => requestStop(sig, true);
  const onHup = () => void reload('SIGHUP');
  const onUsr2 = () => {
    log.daemon('SIGUSR2: reopening the log files');
    log.reopen();
  };
  try {
    if (config.server) {
      const listen = config.server;
      // The default sqlite store lives in config.stateDir, which prepareState created (0700) and checked.
      server = await startJobServer({
        host: listen.host,
        port: listen.port,
        maxPacketBytes: listen.maxPacketBytes,
        // Background jobs survive a daemon crash: sqlite in the state dir unless `store:` says otherwise.
        store: listen.store,
        keepalive: listen.keepalive,
        log: (l) => log.daemon(`server: ${l}`),
      }).catch((err: unknown) => {
        // The server's own code stands (ADDRESS_IN_USE, CANNOT_LISTEN, STORE_UNAVAILABLE for a store that
        // cannot be opened); anything else is a listen failure too.
        const e = err instanceof GmsupError ? err : listenError(err, formatHostPort(listen));
        throw new GmsupError(e.code, `embedded job server: ${e.message}`, { cause: err });
      });
      bound = { host: listen.host, port: server.port };
      config = bindEmbeddedServer(config, bound);
      log.daemon(`embedded job server listening on ${server.address}`);
      http = await startDaemonHttp(
        config,
        server,
        () => handler.status({}),
        (l) => log.daemon(l),
      );
    }
    const running = new Supervisor(config, { spawner: nodeSpawner, clock, log, errors });
    sup = running;
    const embedded = bound ? connectAddress(bound) : null;
    const check = new HealthCheck(running, log, errors, embedded);
    health = check;
    const scaler = new Autoscaler(running, log);
    autoscaler = scaler;
    sampler = new SampleLoop({
      clock,
      intervalMs: SUPERVISOR_TIMINGS.sampleIntervalMs,
      targets: () => ({
        pids: running.instances().flatMap((mp) => (mp.pid === null ? [] : [mp.pid])),
        servers: [...new Set([...(embedded ? [embedded] : []), ...running.serverAddresses()])],
      }),
      onSamples: (samples) => {
        check.observe(samples);
        scaler.observe(samples);
      },
      onError: (err) => errors.record(null, 'sampling', err),
    });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onHup);
    process.on('SIGUSR2', onUsr2);
    const sizing = (p: Config['programs'][number]) =>
      p.autoscale ? ` autoscale ${p.autoscale.minInstances}..${p.autoscale.maxInstances}` : ` x${p.instances}`;
    const workers = config.programs.map((p) => `${p.name}${sizing(p)}`).join(', ') || 'no workers';
    log.daemon(`gmsup daemon pid ${process.pid} for ${config.file}: ${workers}`);
    for (const w of config.warnings ?? []) log.daemon(`warning: ${w}`);
    await precompileModules(config.programs, (l, w) => log.daemon(l, w));
    running.start();
    sampler.start();
    watcher.start();
    opts.onReady?.();
    const force = await done;
    watcher.close();
    sampler.stop();
    const grace = new Promise((r) => clock.setTimeout(() => r(null), RELOAD_AT_SHUTDOWN_MS));
    await Promise.race([reloading, grace]);
    await running.stopAll({ force });
    log.daemon('all workers stopped');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHup);
    process.off('SIGUSR2', onUsr2);
    watcher.close();
    sampler?.stop();
    await http?.close();
    if (server) await server.close().catch((err) => errors.record(null, 'closing the embedded job server', err));
    await control.close();
    rmSync(pidFile, { force: true });
    log.daemon('daemon exiting');
    await log.close();
  }

  function restartModuleUsers(file: string): void {
    if (!sup) return;
    for (const prog of sup.programs.values()) {
      if (prog.config.spec.kind === 'module' && prog.config.spec.modulePath === file && !prog.stopped) {
        log.daemon(`${prog.name}: module ${file} changed, rolling restart`, prog.name);
        void precompileModules([prog.config], (l, w) => log.daemon(l, w))
          .then(() => prog.rollingRestart('module file changed'))
          .catch((err) => errors.record(prog.name, `${prog.name}: rolling restart (module file changed)`, err));
      }
    }
  }
}

/** The pid file: 0600, truncated, never through a symbolic link. */
function writePidFile(path: string): void {
  const fd = openPrivateFile(path, 'truncate');
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
}

function sameLogSettings(a: Config['logs'], b: Config['logs']): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function watchedFiles(config: Config): string[] {
  const files = config.programs.map((p) => (p.spec.kind === 'module' ? p.spec.modulePath : undefined));
  return [...new Set(files.filter((f): f is string => f !== undefined))];
}
