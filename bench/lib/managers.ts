// Process managers for the daemon benchmark, each running N copies of the same tiny Node worker against
// one gearmand: gmsup (as a worker module, and as a `process:` program), supervisord (-n, no control
// servers) and PM2 (temp PM2_HOME, fork mode). Each is stopped by its own PID at the end.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TINY_WORKER = join(root, 'bench', 'lib', 'tiny-worker.js');
export const TINY_HANDLER = join(root, 'bench', 'lib', 'tiny-handler.mjs');
export const TINY_HANDLER_TS = join(root, 'bench', 'lib', 'tiny-handler.ts');
export const FN = 'benchfn';

export interface Manager {
  name: string;
  /** The manager's own process (for RSS and CPU). */
  pid(): number;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killAndWait(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

export function startGmsup(dir: string, server: string, n: number, kind: 'module' | 'ts' | 'process'): Manager {
  const file = join(dir, `gmsup-${kind}.yaml`);
  const program =
    kind === 'process'
      ? `    process: ${process.execPath} ${TINY_WORKER}\n    env: { GEARMAN_SERVER: "${server}" }\n`
      : `    module: ${kind === 'ts' ? TINY_HANDLER_TS : TINY_HANDLER}\n`;
  writeFileSync(
    file,
    `servers: [${server}]\nworkers:\n  ${FN}:\n${program}    instances: ${n}\n    stop_timeout: 2s\n`,
  );
  const child = spawn(process.execPath, [join(root, 'bin', 'gmsup.js'), 'start', file], { stdio: 'ignore', cwd: dir });
  return {
    name: kind === 'module' ? 'gmsup' : kind === 'ts' ? 'gmsup (.ts module)' : 'gmsup (process:)',
    pid: () => child.pid ?? -1,
    stop: () => killAndWait(child, 'SIGTERM', 15_000),
  };
}

export function hasSupervisord(): boolean {
  return spawnSync('sh', ['-c', 'command -v supervisord'], { stdio: 'ignore' }).status === 0;
}

export function startSupervisord(dir: string, server: string, n: number): Manager {
  const conf = join(dir, 'supervisord.conf');
  // No [unix_http_server] / [inet_http_server]: no control interface, as the benchmark needs none.
  writeFileSync(
    conf,
    `[supervisord]
nodaemon=true
logfile=${join(dir, 'supervisord.log')}
pidfile=${join(dir, 'supervisord.pid')}
childlogdir=${dir}

[program:tiny]
command=${process.execPath} ${TINY_WORKER}
process_name=%(program_name)s_%(process_num)02d
numprocs=${n}
environment=GEARMAN_SERVER="${server}"
autorestart=true
startsecs=1
stopasgroup=true
killasgroup=true
stdout_logfile=NONE
stderr_logfile=NONE
`,
  );
  const child = spawn('supervisord', ['-n', '-c', conf], { stdio: 'ignore', cwd: dir });
  return { name: 'supervisord', pid: () => child.pid ?? -1, stop: () => killAndWait(child, 'SIGTERM', 15_000) };
}

export function startPm2(dir: string, server: string, n: number): Manager & { ready: Promise<void> } {
  const home = join(dir, 'pm2home');
  const eco = join(dir, 'ecosystem.config.cjs');
  writeFileSync(
    eco,
    `module.exports = { apps: [{ name: 'tiny', script: ${JSON.stringify(TINY_WORKER)}, instances: ${n}, ` +
      `exec_mode: 'fork', autorestart: true, env: { GEARMAN_SERVER: ${JSON.stringify(server)} } }] };\n`,
  );
  const pm2 = join(root, 'node_modules', '.bin', 'pm2');
  const env = { ...process.env, PM2_HOME: home };
  const cli = spawn(pm2, ['start', eco], { env, stdio: 'ignore', cwd: dir });
  const pidFile = join(home, 'pm2.pid');
  const godPid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : -1);
  return {
    name: 'PM2',
    ready: exited(cli),
    pid: godPid,
    stop: async () => {
      await exited(cli);
      const god = godPid();
      spawnSync(pm2, ['kill'], { env, stdio: 'ignore', timeout: 30_000 });
      // Kill the daemon by its PID if `pm2 kill` left it running.
      if (god > 0 && alive(god)) process.kill(god, 'SIGKILL');
    },
  };
}
