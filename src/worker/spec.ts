// WorkerSpec: what one worker process runs, the worker's own contract. The daemon sends it in the init
// message; `gmsup work` and library users build it directly. Types only: no code.

import type { KeepaliveOption } from '../shared/tcp-keepalive.js';

export type WorkerKind = 'module' | 'command' | 'process';

export interface WorkerSpec {
  /** The key under `workers:` in the YAML file (or the function name for `gmsup work`). */
  name: string;
  /** The function name registered with the job servers (the `function:` key, default `name`). */
  function: string;
  kind: WorkerKind;
  /** module: absolute path of the .ts/.mts/.cts/.js/.mjs/.cjs file. */
  modulePath?: string;
  /** command / process: argv (already split), or a single string run by /bin/sh when `shell` is true. */
  command?: string[];
  shell?: boolean;
  /** Job servers, `host:port` each. */
  servers: string[];
  /** Jobs in flight at once in this process (module and command kinds). */
  concurrency: number;
  /** Per-job time limit; null = none. Also registered as CAN_DO_TIMEOUT. */
  timeoutMs: number | null;
  /**
   * Environment every kind sees the same way: a module worker's process.env (set before the module
   * loads), a command's and a process program's environment, on top of the daemon's own.
   */
  env: Record<string, string>;
  /** Working directory of every kind (the worker process's cwd; a command's and a program's cwd). */
  cwd: string;
  /** Exit cleanly after this many jobs (recycling); null = never. */
  maxJobs: number | null;
  /** Graceful stop: time to finish in-flight jobs before abandoning them. */
  stopTimeoutMs: number;
  /**
   * How a failed job is reported. true: WORK_EXCEPTION with the error text; false: plain WORK_FAIL.
   * Absent ("auto"): WORK_EXCEPTION on gmsup job servers, WORK_FAIL on others, because gearmand 1.1.20
   * turns an exception into a malformed WORK_FAIL for clients that did not ask for exceptions (the
   * `gearman` CLI then hangs and Perl's Gearman::Client dies).
   */
  exceptions?: boolean;
  /**
   * TCP keepalive on the connections to the job servers (module and command kinds; a process program
   * owns its sockets): a vanished server is noticed within idle + interval x count. Absent: the
   * defaults (16 s); false: off.
   */
  keepalive?: KeepaliveOption;
}
