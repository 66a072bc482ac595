// A real PostgreSQL server for tests and benchmarks: Debian's binaries (/usr/lib/postgresql/<v>/bin),
// initdb into a temp dir, postgres on a free loopback port, password auth over TCP. As root, initdb and
// postgres run as the `postgres` system user (initdb refuses root), spawned with its uid/gid so the
// child is postgres itself. stop() ends it by its PID and removes the dir.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from './gearmand.js';
import { waitFor } from './wait-for.js';

export const POSTGRES_INSTALL_HINT = 'apt-get update && apt-get install -y postgresql';
export const PG_PASSWORD = 'gmsup-test-pw';

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
}

/** uid/gid to run as: ourselves (undefined: no change), or the `postgres` user when we are root. */
function runAs(): { uid?: number; gid?: number } | null {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0) return null;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** False when a server can be started here, else a one-line reason with the install command. */
export function skipUnlessPostgres(): string | false {
  if (binDir() === null) return `needs PostgreSQL server binaries; install with: ${POSTGRES_INSTALL_HINT}`;
  if (runAs() === null) return `running as root needs the postgres system user; install with: ${POSTGRES_INSTALL_HINT}`;
  return false;
}

export interface RunningPostgres {
  port: number;
  /** postgres://postgres:PW@127.0.0.1:PORT/DB (database `postgres` unless named). */
  url(database?: string, password?: string): string;
  /** Runs SQL through psql as the superuser; returns stdout (unaligned, tuples only). */
  psql(sql: string, database?: string): string;
  /** Stops the server (immediate: like a crash of PostgreSQL) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = binDir();
  const user = runAs();
  if (bin === null || user === null) throw new Error(String(skipUnlessPostgres()));
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-pg-'));
  const data = join(dir, 'data');
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, `${PG_PASSWORD}\n`);
  if (user.uid !== undefined && user.gid !== undefined) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwFile, user.uid, user.gid);
  }
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...user, cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  try {
    run(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${pwFile}`,
      '-N',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  async function startServer(): Promise<void> {
    const args = [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
    ];
    const c = spawn(join(bin!, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...user, cwd: dir });
    let log = '';
    c.stderr?.on('data', (b: Buffer) => {
      if (log.length < 20_000) log += b.toString();
    });
    let gone = false;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    void exited.then(() => {
      gone = true;
    });
    child = c;
    await waitFor(async () => gone || ((await canConnect(port)) && /ready to accept connections/.test(log)), {
      timeoutMs: 30_000,
      what: `PostgreSQL on port ${port}`,
    });
    if (gone) throw new Error(`PostgreSQL exited at start: ${log.slice(-2000)}`);
  }

  async function stopServer(): Promise<void> {
    const c = child;
    if (c === null) return;
    child = null;
    // SIGQUIT = immediate shutdown: no checkpoint, recovery at the next start, as after a crash.
    c.kill('SIGQUIT');
    const hard = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(hard);
  }

  try {
    await startServer();
  } catch (err) {
    await stopServer();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const psql = (sql: string, database = 'postgres') =>
    run(join(bin, 'psql'), [
      '-h',
      dir,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      database,
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ]);

  return {
    port,
    url: (database = 'postgres', password = PG_PASSWORD) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    psql,
    restart: async () => {
      await stopServer();
      await startServer();
    },
    stopServer,
    startServer,
    stop: async () => {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
