// The daemon's lifetime: claims the control socket, starts the embedded server BEFORE the workers,
// runs supervisor + monitor + watcher, serves control calls, reloads on demand, and shuts down in order.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { bindEmbeddedServer } from '../config/embedded.js';
import { loadConfig } from '../config/load.js';
import { connectAddress } from '../config/validate.js';
import type { Config, EmbeddedServerConfig } from '../config/types.js';
import { ControlServer, type ControlHandler } from '../control/control-server.js';
import { controlSocketPath, pidFilePath, stateDirFor, workerLogPath } from '../shared/state-dir.js';
import type { ReloadPlanEntry } from '../control/protocol.js';
import { startJobServer, type JobServer } from '../server/index.js';
import { GmsupError } from '../shared/errors.js';
import { LogSink } from './log-sink.js';
import { Monitor } from './monitor.js';
import { buildSnapshot } from './snapshot.js';
import { precompileModules } from './precompile.js';
import { nodeSpawner } from './spawner.js';
import { Supervisor } from './supervisor.js';
import { ConfigWatcher } from './watch.js';

export interface DaemonOptions {
  configFile: string;
  out: (text: string) => void;
  /** Called once the control socket answers and the workers were started. */
  onReady?: () => void;
}

export async function runDaemon(opts: DaemonOptions): Promise<number> {
  let config = await loadConfig(opts.configFile); // invalid -> CONFIG_INVALID before anything starts
  // With `listen: host:0` the embedded server picks a port; every load is bound to that same port.
  let bound: EmbeddedServerConfig | null = null;
  const load = async (): Promise<Config> => {
    const c = await loadConfig(config.file);
    return bound ? bindEmbeddedServer(c, bound) : c;
  };
  const ctlDir = stateDirFor(config.file);
  mkdirSync(ctlDir, { recursive: true, mode: 0o700 });
  const log = new LogSink({
    fileFor: (w) => workerLogPath(config.stateDir, w),
    maxBytes: config.logs.maxBytes,
    keep: config.logs.keep,
    out: opts.out,
  });
  const startedAtMs = Date.now();
  let configError: string | null = null;
  let sup: Supervisor | null = null;
  let mon: Monitor | null = null;
  let shutdownRequested: ((force: boolean) => void) | null = null;
  const done = new Promise<boolean>((resolve) => {
    shutdownRequested = resolve;
  });
  let stopCount = 0;
  const requestStop = (why: string) => {
    stopCount++;
    log.daemon(stopCount === 1 ? `${why}: stopping (drain, then TERM/KILL); again to force` : `${why} again: forcing`);
    if (stopCount === 2 && sup) void sup.stopAll({ force: true });
    shutdownRequested?.(stopCount > 1);
  };

  let reloading: Promise<ReloadPlanEntry[]> = Promise.resolve([]);
  const reload = (source: string): Promise<ReloadPlanEntry[]> => {
    const run = async () => {
      if (!sup || sup.isStopping) return [];
      let next: Config;
      try {
        next = await load();
      } catch (err) {
        configError = err instanceof Error ? err.message : String(err);
        log.daemon(`reload (${source}) rejected, the running config stays in force:\n${configError}`);
        throw err;
      }
      configError = null;
      await precompileModules(next.programs, (l, w) => log.daemon(l, w));
      const plan = sup.apply(next);
      watcher.setFiles(watchedFiles(next));
      const acted = plan.filter((e) => e.action !== 'unchanged');
      log.daemon(
        `reload (${source}): ${acted.length === 0 ? 'no changes' : acted.map((e) => `${e.worker} ${e.action} (${e.detail})`).join('; ')}`,
      );
      return plan;
    };
    reloading = reloading.then(run, run);
    return reloading;
  };

  const need = (): Supervisor => {
    if (!sup) throw new GmsupError('NO_DAEMON', 'the daemon is still starting');
    return sup;
  };
  const handler: ControlHandler = {
    status: () =>
      buildSnapshot(need(), mon ?? new Monitor(need(), log, null), {
        configFile: config.file,
        startedAtMs,
        configError,
      }),
    stop: () => {
      setImmediate(() => requestStop('stop requested'));
      return { stopping: true };
    },
    reload: async () => ({ plan: await reload('gmsup reload') }),
    plan: async (p) => {
      if (typeof p.file !== 'string') return { plan: need().plan(await load()) };
      // A candidate file: validated on its own, bound to the running embedded port like a reload.
      const c = await loadConfig(p.file);
      return { plan: need().plan(bound ? bindEmbeddedServer(c, bound) : c) };
    },
    restart: async (p) => ({ restarted: await need().restart(String(p.name), p.index) }),
    scale: (p) => need().scale(String(p.name), Number(p.instances)),
    'stop-worker': async (p) => ({ stopped: await need().stopProgram(String(p.name)) }),
    'start-worker': (p) => ({ started: need().startProgram(String(p.name)) }),
    logs: (p) => ({ lines: log.tail(p.name, Math.min(Math.max(1, Number(p.lines ?? 100)), 2000)) }),
    followLogs: (name, onLine) =>
      log.follow((l) => {
        if (!name || l.worker === name) onLine(l);
      }),
  };

  const control = await ControlServer.listen(controlSocketPath(ctlDir), handler); // ALREADY_RUNNING if live
  const pidFile = pidFilePath(ctlDir);
  writeFileSync(pidFile, `${process.pid}\n`);
  let server: JobServer | null = null;
  const watcher = new ConfigWatcher(config.file, watchedFiles(config), (what) => {
    if (what === 'config') reload('file changed').catch(() => {});
    else restartModuleUsers(what);
  });
  const onSignal = (sig: NodeJS.Signals) => requestStop(sig);
  const onHup = () => {
    reload('SIGHUP').catch(() => {});
  };
  try {
    if (config.server) {
      server = await startJobServer({
        host: config.server.host,
        port: config.server.port,
        keepalive: config.server.keepalive,
        log: (l) => log.daemon(`server: ${l}`),
      }).catch((err: unknown) => {
        throw new GmsupError(
          'ALREADY_RUNNING',
          `embedded job server cannot listen on ${config.server!.host}:${config.server!.port}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      });
      bound = { host: config.server.host, port: server.port };
      config = bindEmbeddedServer(config, bound);
      log.daemon(`embedded job server listening on ${server.address}`);
    }
    sup = new Supervisor(config, nodeSpawner, log);
    mon = new Monitor(sup, log, bound ? connectAddress(bound) : null);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onHup);
    log.daemon(
      `gmsup daemon pid ${process.pid} for ${config.file}: ${config.programs.map((p) => `${p.name} x${p.instances}`).join(', ') || 'no workers'}`,
    );
    await precompileModules(config.programs, (l, w) => log.daemon(l, w));
    sup.start();
    mon.start();
    watcher.start();
    opts.onReady?.();
    const force = await done;
    watcher.close();
    mon.stop();
    await Promise.race([reloading.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]); // a reload in progress gets 2 s
    await sup.stopAll({ force });
    log.daemon('all workers stopped');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHup);
    watcher.close();
    mon?.stop();
    if (server) await server.close().catch(() => {});
    await control.close();
    rmSync(pidFile, { force: true });
    log.daemon('daemon exiting');
    log.close();
  }

  function restartModuleUsers(file: string): void {
    if (!sup) return;
    for (const prog of sup.programs.values()) {
      if (prog.config.spec.kind === 'module' && prog.config.spec.modulePath === file && !prog.stopped) {
        log.daemon(`${prog.name}: module ${file} changed, rolling restart`, prog.name);
        void precompileModules([prog.config], (l, w) => log.daemon(l, w))
          .then(() => prog.rollingRestart('module file changed'))
          .catch(() => {});
      }
    }
  }
}

function watchedFiles(config: Config): string[] {
  const files = config.programs.map((p) => (p.spec.kind === 'module' ? p.spec.modulePath : undefined));
  return [...new Set(files.filter((f): f is string => f !== undefined))];
}
