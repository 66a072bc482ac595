// The kernel's TCP timers of this machine's sockets, read with `ss -tno` (iproute2): which sockets run a
// keepalive timer and how much of it is left. Used to prove keepalive is on for sockets of any process.

import { spawnSync } from 'node:child_process';

export interface SocketTimer {
  local: string;
  peer: string;
  /** `keepalive`, `on` (retransmit), ...; sockets without a timer are left out. */
  kind: string;
  remainingMs: number;
}

/** Established TCP sockets whose local or peer port is `port`, with their running timer. */
export function socketTimers(port: number, side: 'local' | 'peer' | 'either' = 'local'): SocketTimer[] {
  const filter =
    side === 'local'
      ? `sport = :${port}`
      : side === 'peer'
        ? `dport = :${port}`
        : `sport = :${port} or dport = :${port}`;
  const r = spawnSync('ss', ['-tnoH', 'state', 'established', `( ${filter} )`], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) throw new Error(`ss failed: ${r.stderr || r.error?.message}`);
  const out: SocketTimer[] = [];
  for (const line of r.stdout.split('\n')) {
    // e.g. "0 0 127.0.0.1:41234 127.0.0.1:4730 timer:(keepalive,9.812ms,0)" (9 s 812 ms: ss's format)
    const m = /^\s*\d+\s+\d+\s+(\S+)\s+(\S+)(?:.*timer:\((\w+),([^,]+),)?/.exec(line);
    if (!m || m[3] === undefined) continue;
    out.push({ local: m[1]!, peer: m[2]!, kind: m[3], remainingMs: parseSsDuration(m[4]!) });
  }
  return out;
}

/** ss's timer text: `2min`, `2min5sec`, `12sec`, `6.968ms` (6 s 968 ms), `250ms`. */
export function parseSsDuration(text: string): number {
  const m = /^(?:(\d+)min)?(?:(\d+)sec)?(?:(\d+)\.)?(?:(\d+)ms)?$/.exec(text);
  if (!m) throw new Error(`cannot read ss timer ${JSON.stringify(text)}`);
  const [, min, sec, secBeforeMs, ms] = m;
  return Number(min ?? 0) * 60_000 + Number(sec ?? secBeforeMs ?? 0) * 1000 + Number(ms ?? 0);
}
