// The multihost lab's hosts, running the real CLI: srv1/srv2 run `gmsup server` with a store, wrk1..3
// run `gmsup start` with workers registered on both servers, cli runs the submitter. Every process is
// started in its namespace, its output kept in a log file, and stopped by pid (NetnsLab.destroy).

import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ControlClient } from '../../src/control/control-client.js';
import { controlSocketPath, stateDirFor } from '../../src/shared/state-dir.js';
import { JobLog, Submission } from './job-log.js';
import { NetnsLab } from './netns-lab.js';

export { JobLog, Submission, type JobEvent } from './job-log.js';

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/gmsup.js');
const RECORD_JOB = join(ROOT, 'scripts/multihost/record-job.mjs');
const SUBMITTER = join(ROOT, 'scripts/multihost/submitter.ts');

export const SERVER_HOSTS = ['srv1', 'srv2'] as const;
export const WORKER_HOSTS = ['wrk1', 'wrk2', 'wrk3'] as const;
export const CLIENT_HOST = 'cli';
export const GEARMAN_PORT = 4730;

/** Short keepalive for the lab, so a cut is noticed within 2 + 1 x 2 = 4 s. */
export const LAB_KEEPALIVE = { idleS: 2, intervalS: 1, count: 2 };
export const LAB_KEEPALIVE_BOUND_MS = (LAB_KEEPALIVE.idleS + LAB_KEEPALIVE.intervalS * LAB_KEEPALIVE.count) * 1000;
const KEEPALIVE_ARG = `idle=${LAB_KEEPALIVE.idleS}s,interval=${LAB_KEEPALIVE.intervalS}s,count=${LAB_KEEPALIVE.count}`;

export interface HostsOptions {
  /** Where each host keeps its files (store, workers.yaml, job logs, process output). */
  dir: string;
  log: (line: string) => void;
}

/** `sqlite:` when this build's `gmsup server` has --store (issue 10's durable store), else null. */
export function storeSupport(): 'sqlite' | null {
  const r = spawnSync(process.execPath, [BIN, 'server', '--help'], { encoding: 'utf8', timeout: 20_000 });
  return /--store/.test(r.stdout) ? 'sqlite' : null;
}

/** Waits for `pred` with a deadline; every wait in the lab is bounded. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  pred: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  stepMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** `promise`, or a rejection naming `what` after `timeoutMs`. */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export class LabHosts {
  readonly servers: string[];
  private readonly serverProcs = new Map<string, ChildProcess>();

  constructor(
    readonly lab: NetnsLab,
    private readonly opts: HostsOptions,
    readonly store: 'sqlite' | null,
  ) {
    this.servers = SERVER_HOSTS.map((h) => `${lab.host(h).ip}:${GEARMAN_PORT}`);
    for (const h of [...SERVER_HOSTS, ...WORKER_HOSTS, CLIENT_HOST]) mkdirSync(this.dirOf(h), { recursive: true });
  }

  dirOf(host: string): string {
    return join(this.opts.dir, host);
  }

  /** Starts a host's process with stdout/stderr appended to <host>/<what>.log; resolves once `ready` is seen. */
  private launch(
    host: string,
    what: string,
    argv: string[],
    ready: RegExp | null,
  ): { child: ChildProcess; ready: Promise<void> } {
    const child = this.lab.spawn(host, argv, { cwd: ROOT });
    const file = createWriteStream(join(this.dirOf(host), `${what}.log`), { flags: 'a' });
    let seen = '';
    const readyP = new Promise<void>((resolveReady, reject) => {
      const onChunk = (chunk: Buffer) => {
        file.write(chunk);
        if (ready && seen.length < 4096) {
          seen += chunk.toString('utf8');
          if (ready.test(seen)) resolveReady();
        }
      };
      child.stdout!.on('data', onChunk);
      child.stderr!.on('data', onChunk);
      child.once('exit', (code, sig) => {
        file.end();
        reject(new Error(`${host} ${what} exited (${code ?? sig}) before it was ready: ${seen.slice(-500)}`));
      });
      if (!ready) resolveReady();
    });
    readyP.catch(() => undefined); // observed by the caller; an exit after readiness is not an error here
    return { child, ready: readyP };
  }

  /** `gmsup server` on a server host, from its store; resolves once it listens (store loaded). */
  async startServer(host: string): Promise<ChildProcess> {
    const listen = `${this.lab.host(host).ip}:${GEARMAN_PORT}`;
    const store = this.store ? ['--store', `sqlite:${join(this.dirOf(host), 'queue.db')}`] : [];
    const argv = [process.execPath, BIN, 'server', '--listen', listen, ...store, '--keepalive', KEEPALIVE_ARG];
    const { child, ready } = this.launch(host, 'server', [...argv, '--job-handle-prefix', host], /listening on/);
    this.serverProcs.set(host, child);
    await withDeadline(ready, 30_000, `${host} to listen`);
    return child;
  }

  /** kill -9 of a server host's gmsup server; resolves once the process is gone. */
  async killServer(host: string): Promise<void> {
    const child = this.serverProcs.get(host);
    if (!child?.pid) throw new Error(`${host} runs no server`);
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGKILL');
    await withDeadline(exited, 10_000, `${host}'s server to die of kill -9`);
  }

  /** `gmsup start` on a worker host: workers registered on both servers, recording every job. */
  startWorkers(host: string): void {
    const file = join(this.dirOf(host), 'workers.yaml');
    writeFileSync(
      file,
      `servers: [${this.servers.join(', ')}]
workers:
  mh_job:
    module: ${RECORD_JOB}
    instances: 2
    concurrency: 32
    stop_timeout: 2s
    keepalive: { idle: ${LAB_KEEPALIVE.idleS}s, interval: ${LAB_KEEPALIVE.intervalS}s, count: ${LAB_KEEPALIVE.count} }
    env: { MH_OUT: ${JSON.stringify(this.dirOf(host))} }
`,
    );
    this.launch(host, 'daemon', [process.execPath, BIN, 'start', file], null);
  }

  /** The worker instances of a host (pid, registered on how many servers), from its daemon. */
  async instances(host: string): Promise<{ pid: number | null; registeredOn: number; serverCount: number }[]> {
    const socket = controlSocketPath(stateDirFor(join(this.dirOf(host), 'workers.yaml')));
    const c = await ControlClient.connect(socket, 2000);
    try {
      return (await c.call('status', {}, 5000)).instances;
    } finally {
      c.close();
    }
  }

  /** Every worker instance of every worker host registered on both servers. */
  async waitRegistered(hosts: readonly string[] = WORKER_HOSTS, timeoutMs = 30_000): Promise<void> {
    await until(
      `workers on ${hosts.join(', ')} to register on both servers`,
      timeoutMs,
      async () => {
        for (const h of hosts) {
          const list = await this.instances(h).catch(() => []);
          if (list.length !== 2 || !list.every((i) => i.registeredOn === 2 && i.serverCount === 2)) return false;
        }
        return true;
      },
      200,
    );
  }

  /**
   * Runs the submitter on the client host: `count` jobs from id `first`, at `ratePerS` (0 = unpaced),
   * each running `jobMs` in its worker.
   */
  submit(first: number, count: number, ratePerS: number, jobMs: number): Submission {
    const argv = [
      process.execPath,
      '--import',
      'tsx',
      SUBMITTER,
      '--servers',
      this.servers.join(','),
      '--count',
      String(count),
      '--first',
      String(first),
      '--rate',
      String(ratePerS),
      '--job-ms',
      String(jobMs),
      '--keepalive',
      KEEPALIVE_ARG,
    ];
    const { child } = this.launch(CLIENT_HOST, `submit-${first}`, argv, null);
    return new Submission(child);
  }

  /**
   * Jobs of `fn` the servers still hold (queued or running), asked from the client host with
   * `gmsup admin status`; null when a server did not answer.
   */
  serverBacklog(fn = 'mh_job'): Promise<number | null> {
    const argv = ['netns', 'exec', this.lab.host(CLIENT_HOST).ns, process.execPath, BIN, 'admin', 'status'];
    return new Promise((resolveBacklog) => {
      execFile('ip', [...argv, '-s', this.servers.join(','), '-t', '2000'], { timeout: 10_000 }, (err, stdout) => {
        if (err) return resolveBacklog(null);
        let total = 0;
        for (const line of stdout.split('\n')) {
          const [name, queued] = line.split('\t');
          if (name === fn) total += Number(queued);
        }
        resolveBacklog(total);
      });
    });
  }

  /** Every S/D line the workers wrote, from every worker host's files. */
  readJobLog(): JobLog {
    const log = new JobLog();
    for (const host of WORKER_HOSTS) {
      for (const name of readdirSync(this.dirOf(host))) {
        if (!/^jobs-\d+\.log$/.test(name)) continue;
        const text = readFileSync(join(this.dirOf(host), name), 'utf8');
        for (const line of text.split('\n')) {
          const [kind, id, handle, t] = line.split(' ');
          if ((kind === 'S' || kind === 'D') && id !== undefined && handle !== undefined && t !== undefined)
            log.add({ kind, id, handle, host, tMs: Number(t) });
        }
      }
    }
    return log;
  }

  /**
   * When the host's workers saw a job server connection fail, from its daemon's log (each worker line is
   * time-stamped there): `[timeMs, reason]` per lost connection.
   */
  connectionsLost(host: string): Array<{ tMs: number; why: string }> {
    const out: Array<{ tMs: number; why: string }> = [];
    let text = '';
    try {
      text = readFileSync(join(this.dirOf(host), 'daemon.log'), 'utf8');
    } catch {
      return out;
    }
    for (const line of text.split('\n')) {
      const m = /^(\S+) \S+ .*job server \S+: connection lost \((.*)\)$/.exec(line);
      if (m) out.push({ tMs: Date.parse(m[1]!), why: m[2]! });
    }
    return out;
  }

  /** The last lines of a host's process output, for failure messages. */
  tail(host: string, what: string, lines = 15): string {
    try {
      return readFileSync(join(this.dirOf(host), `${what}.log`), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no output)';
    }
  }
}

/**
 * Builds the lab (bridge, 6 hosts), starts both servers and the three worker hosts, and waits until
 * every worker is registered on both servers. The caller owns `hosts.lab.destroy()` (also on failure
 * after this returns); a failure in here destroys the lab itself.
 */
export async function bringUp(opts: HostsOptions): Promise<LabHosts> {
  const lab = NetnsLab.create([...SERVER_HOSTS, ...WORKER_HOSTS, CLIENT_HOST]);
  try {
    const hosts = new LabHosts(lab, opts, storeSupport());
    await Promise.all(SERVER_HOSTS.map((h) => hosts.startServer(h)));
    for (const h of WORKER_HOSTS) hosts.startWorkers(h);
    await hosts.waitRegistered().catch((err: Error) => {
      throw new Error(`${err.message}\n${WORKER_HOSTS.map((h) => `${h}: ${hosts.tail(h, 'daemon', 5)}`).join('\n')}`);
    });
    return hosts;
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}
