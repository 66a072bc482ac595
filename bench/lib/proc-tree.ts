// A process and all its descendants from /proc: their count, resident memory and CPU time. CPU time
// includes each process's reaped children (cutime/cstime), so workers that exited during a measurement
// are still counted through their parent; a difference of two readings is the tree's CPU in between.

import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

let ticksPerSecond = 0;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // comm may contain spaces
    // After the comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return { pid, ppid: Number(f[1]), ticks };
  } catch {
    return null; // exited while listing
  }
}

/** `root` and every process below it that is alive now. */
export function processTree(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) all.push(s);
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out: ProcStat[] = [];
  const top = all.find((s) => s.pid === root);
  if (!top) return out;
  const stack = [top];
  while (stack.length > 0 && out.length < 10_000) {
    const s = stack.pop()!;
    out.push(s);
    stack.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

/** CPU seconds (user + system, with reaped children) of the whole tree so far. */
export function treeCpuSeconds(root: number): number {
  if (ticksPerSecond === 0)
    ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return processTree(root).reduce((sum, s) => sum + s.ticks, 0) / ticksPerSecond;
}

function rssOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0; // exited meanwhile
  }
}

/** The processes below `root` (not counting it) and their summed resident memory, and root's own. */
export function treeFootprint(root: number): { processes: number; rssBytes: number; rootRssBytes: number } {
  const below = processTree(root).filter((s) => s.pid !== root);
  return {
    processes: below.length,
    rssBytes: below.reduce((sum, s) => sum + rssOf(s.pid), 0),
    rootRssBytes: rssOf(root),
  };
}
