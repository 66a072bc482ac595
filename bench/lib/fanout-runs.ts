// One measured fan-out run per variant, each in its own fresh process where that is the point:
// the gmsup client CLI, the direct Node process, PHP curl_multi. Returns wall time and correctness.

import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FanoutReport } from '../../examples/fanout/report.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Scenario {
  method: 'GET' | 'POST';
  targets: number;
  basePort: number;
  /** Calls per target. */
  repeat: number;
  bodyBytes: number;
  concurrency: number;
}

export interface RunResult {
  ok: number;
  calls: number;
  wallMs: number;
  combinedHash: string | null;
  /** gmsup runs: the fleet counted exactly the client's calls. */
  fleetMatches?: boolean;
}

function run(cmd: string, args: string[], timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} exited ${code}: ${err.slice(-500)}${out.slice(-500)}`));
    });
  });
}

const scriptArgs = (s: Scenario, rounds: number) =>
  [s.targets, s.basePort, s.method, s.bodyBytes, s.repeat, s.concurrency, rounds].map(String);

interface ScriptRound {
  ok: number;
  failed: number;
  wallMs: number;
  combinedHash: string;
}
const fromRounds = (s: Scenario, out: string): RunResult[] =>
  (JSON.parse(out) as { rounds: ScriptRound[] }).rounds.map((r) => ({
    ok: r.ok,
    calls: s.targets * s.repeat,
    wallMs: r.wallMs,
    combinedHash: s.method === 'GET' ? r.combinedHash : null,
  }));

/** The single direct Node process; `rounds` > 1 runs them back to back in the same process. */
export async function runDirect(s: Scenario, rounds: number): Promise<RunResult[]> {
  return fromRounds(
    s,
    await run(process.execPath, ['--import', 'tsx', 'bench/lib/fanout-direct.ts', ...scriptArgs(s, rounds)]),
  );
}

export async function runCurlMulti(s: Scenario, rounds: number): Promise<RunResult[]> {
  return fromRounds(s, await run('php', ['bench/lib/fanout-curl-multi.php', ...scriptArgs(s, rounds)]));
}

/** The fan-out client CLI (a fresh process, as a back office would run it) against running workers. */
export async function runGmsupClient(
  s: Scenario,
  server: string,
  fleetControlUrl: string,
  dir: string,
): Promise<RunResult> {
  const reportFile = join(dir, `report-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const args = [
    '--import',
    'tsx',
    'examples/fanout/client.ts',
    '--targets',
    String(s.targets),
    '--base-port',
    String(s.basePort),
    '--servers',
    server,
    '--method',
    s.method,
    '--repeat',
    String(s.repeat),
    '--body-bytes',
    String(s.bodyBytes),
    '--fleet-control',
    fleetControlUrl,
    '--report',
    reportFile,
  ];
  await run(process.execPath, args).catch((err: Error) => {
    // Exit 1 means some calls failed: the report still says how many.
    if (!/exited 1:/.test(err.message)) throw err;
  });
  const r = JSON.parse(readFileSync(reportFile, 'utf8')) as FanoutReport;
  rmSync(reportFile, { force: true });
  return { ok: r.ok, calls: r.calls, wallMs: r.wallMs, combinedHash: r.combinedSha1, fleetMatches: r.fleet?.matches };
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!; // xs is not empty
}
