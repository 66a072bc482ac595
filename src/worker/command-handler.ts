// The `command` worker kind: one process per job, like `gearman -w -- CMD`. Payload on stdin, stdout is
// the result, exit 0 is success; otherwise the job fails with stderr's tail as the exception text.
// Each command leads its own process group so a timeout or shutdown kills all of it (TERM, then KILL).

import { spawn } from 'node:child_process';
import { GmsupError } from '../shared/errors.js';
import { killGroup } from '../shared/kill-group.js';
import type { JobHandler } from './job-context.js';
import { TailBuffer } from './result.js';

export interface CommandOptions {
  /** argv, or with `shell` one string (several are joined by spaces) run by /bin/sh -c. */
  command: string[];
  shell: boolean;
  env: Record<string, string>;
  cwd: string;
  /** Delay between SIGTERM and SIGKILL to the command's process group. */
  killGraceMs?: number;
  stderrTailBytes?: number;
}

export const DEFAULT_KILL_GRACE_MS = 2000;

export function commandHandler(opts: CommandOptions): JobHandler {
  const [first, ...rest] = opts.command;
  if (first === undefined) throw new GmsupError('SPAWN_ERROR', 'command worker has an empty command');
  const [file, args]: [string, string[]] = opts.shell ? ['/bin/sh', ['-c', opts.command.join(' ')]] : [first, rest];
  const killGraceMs = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const stderrTailBytes = opts.stderrTailBytes ?? 2048;

  return (payload, job) =>
    new Promise<Buffer>((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: opts.cwd,
        env: {
          ...process.env,
          ...opts.env,
          GMSUP_FUNCTION: job.function,
          GMSUP_HANDLE: job.handle,
          GMSUP_UNIQUE: job.unique,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true, // own process group: kill(-pid) reaches the command's children too
      });
      const stdout: Buffer[] = [];
      const stderr = new TailBuffer(stderrTailBytes);
      let terminated: NodeJS.Signals | null = null;
      let spawnError: Error | null = null;

      const onAbort = (): void => {
        if (child.pid === undefined || terminated) return;
        terminated = 'SIGTERM';
        killGroup(child.pid, 'SIGTERM');
        const pid = child.pid;
        // Not cleared on close: a grandchild that ignores TERM may outlive the group leader.
        setTimeout(() => killGroup(pid, 'SIGKILL'), killGraceMs).unref();
      };
      if (job.signal.aborted) onAbort();
      else job.signal.addEventListener('abort', onAbort, { once: true });

      child.stdout.on('data', (c: Buffer) => stdout.push(c));
      child.stderr.on('data', (c: Buffer) => stderr.push(c));
      child.stdin.on('error', () => {}); // EPIPE: the command need not read its input
      child.stdin.end(payload);
      child.once('error', (err) => {
        spawnError = err;
        // A failed spawn may never emit 'close'.
        if (child.pid === undefined)
          reject(new GmsupError('SPAWN_ERROR', `cannot run ${file}: ${err.message}`, { cause: err }));
      });
      child.once('close', (code, signal) => {
        job.signal.removeEventListener('abort', onAbort);
        if (spawnError) {
          reject(new GmsupError('SPAWN_ERROR', `cannot run ${file}: ${spawnError.message}`, { cause: spawnError }));
        } else if (code === 0) {
          resolve(Buffer.concat(stdout));
        } else {
          const tail = stderr.text();
          const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
          reject(new Error(tail !== '' ? tail : `command ${how}`));
        }
      });
    });
}
