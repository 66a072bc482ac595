// Signals a whole process group (a worker process and what it started, or a command and its children):
// every child gmsup spawns leads its own group, so one kill(-pid) reaches all of it.

/** Sends `signal` to the process group led by `pid`; false when the group is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
