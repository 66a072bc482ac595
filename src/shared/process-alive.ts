// Whether a process still runs, by PID: used to wait for a daemon or a child to exit. A zombie (exited,
// not yet reaped by its parent) counts as gone; EPERM means it exists under another user.

import { readFileSync } from 'node:fs';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: kill(0) said it exists
  }
}
