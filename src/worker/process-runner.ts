// The `process` worker kind: a long-running program that speaks Gearman itself (a PHP or Perl worker).
// Nothing runs in-process: the server list goes in through GEARMAN_SERVERS and `{servers}` argument
// placeholders, and this only starts the program, forwards stop requests and reports its exit.

import { spawn, type ChildProcess } from 'node:child_process';
import { GmsupError } from '../shared/errors.js';

export interface ProcessOptions {
  command: string[];
  shell: boolean;
  servers: string[];
  env: Record<string, string>;
  cwd: string;
  function: string;
  /**
   * Passed as GMSUP_CLIENT_ID: a program that sets it as its Gearman client id lets the daemon verify its
   * registration.
   */
  clientId: string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Replaces every `{servers}` in each argument with `h:p,h:p`. */
export function expandServers(argv: string[], servers: string[]): string[] {
  const list = servers.join(',');
  return argv.map((a) => a.split('{servers}').join(list));
}

export interface SupervisedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL after `stopTimeoutMs` if it has not exited. */
  stop(stopTimeoutMs: number): Promise<ProcessExit>;
}

export async function startProcess(opts: ProcessOptions): Promise<SupervisedProcess> {
  const argv = expandServers(opts.command, opts.servers);
  const [first, ...rest] = argv;
  if (first === undefined) throw new GmsupError('SPAWN_ERROR', 'process worker has an empty command');
  const [file, args]: [string, string[]] = opts.shell ? ['/bin/sh', ['-c', argv.join(' ')]] : [first, rest];
  // Same process group as this worker process: the daemon's group kill reaches it too.
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: {
      ...process.env,
      ...opts.env,
      GEARMAN_SERVERS: opts.servers.join(','),
      GMSUP_FUNCTION: opts.function,
      GMSUP_CLIENT_ID: opts.clientId,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject(new GmsupError('SPAWN_ERROR', `cannot run ${file}: ${err.message}`, { cause: err })),
    );
  });
  let stopping: Promise<ProcessExit> | null = null;
  return {
    child,
    exited,
    stop(stopTimeoutMs: number): Promise<ProcessExit> {
      if (stopping) return stopping;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, stopTimeoutMs));
      stopping = exited.finally(() => clearTimeout(timer));
      return stopping;
    },
  };
}
