// The fan-out client's report: per-call records in, summary numbers and the printed summary out.
// Pure: no I/O, so the tests and the bench read the same figures the CLI prints.

import { combinedHash } from './targets.js';

export interface CallRecord {
  target: number;
  ok: boolean;
  /** Jobs submitted for this call (1 + client retries). */
  attempts: number;
  /** Client-side job round trip of the last attempt, ms. */
  jobMs: number;
  status?: number;
  bytes?: number;
  /** The worker's own measure of the HTTP call, ms. */
  httpMs?: number;
  sha1?: string;
  error?: string;
}

export interface FleetDelta {
  requests: number;
  get: number;
  post: number;
  ok: number;
  failures: number;
  /** Whether the fleet saw exactly the HTTP calls the client made (one per attempt). */
  matches: boolean;
}

export interface FanoutReport {
  function: string;
  servers: string[];
  method: 'GET' | 'POST';
  targets: number;
  calls: number;
  ok: number;
  failed: number;
  /** Extra jobs submitted after failures. */
  retried: number;
  /** Jobs submitted in all (calls + retried): what the fleet should count when no worker died. */
  attempts: number;
  latencyMs: { p50: number; p95: number; max: number };
  httpMs: { p50: number; p95: number; max: number };
  wallMs: number;
  callsPerSec: number;
  bytes: number;
  /** Pull: sha1 over the per-target body sha1s in target order (last successful call per target). */
  combinedSha1: string | null;
  errors: Record<string, number>;
  failures: Array<{ target: number; url: string; attempts: number; error: string }>;
  fleet?: FleetDelta;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!; // 0 <= i < sorted.length
}

function spread(values: number[]): { p50: number; p95: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return { p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), max: r(s[s.length - 1] ?? 0) };
}

/** Error texts grouped without their URL, so 2000 resets make one line. */
export function errorKind(message: string): string {
  return (
    message
      .replace(/^job \S+ \([^)]*\) failed: /, '')
      .replace(/:? ?(GET|POST) http:\/\/\S+/, '')
      .trim() || message
  );
}

export function buildReport(input: {
  fn: string;
  servers: string[];
  method: 'GET' | 'POST';
  urls: string[];
  records: CallRecord[];
  wallMs: number;
}): FanoutReport {
  const { records } = input;
  const okRecords = records.filter((r) => r.ok);
  const attempts = records.reduce((a, r) => a + r.attempts, 0);
  const sums = new Array<string>(input.urls.length).fill('');
  for (const r of okRecords) if (r.sha1) sums[r.target] = r.sha1;
  const errors: Record<string, number> = {};
  for (const r of records) if (!r.ok && r.error) errors[errorKind(r.error)] = (errors[errorKind(r.error)] ?? 0) + 1;
  return {
    function: input.fn,
    servers: input.servers,
    method: input.method,
    targets: input.urls.length,
    calls: records.length,
    ok: okRecords.length,
    failed: records.length - okRecords.length,
    retried: attempts - records.length,
    attempts,
    latencyMs: spread(okRecords.map((r) => r.jobMs)),
    httpMs: spread(okRecords.map((r) => r.httpMs ?? 0)),
    wallMs: Math.round(input.wallMs * 10) / 10,
    callsPerSec: input.wallMs > 0 ? Math.round((records.length / input.wallMs) * 1000) : 0,
    bytes: okRecords.reduce((a, r) => a + (r.bytes ?? 0), 0),
    combinedSha1: input.method === 'GET' ? combinedHash(sums) : null,
    errors,
    failures: records
      .filter((r) => !r.ok)
      .slice(0, 100)
      // A record's target is an index into the urls it was run with.
      .map((r) => ({ target: r.target, url: input.urls[r.target]!, attempts: r.attempts, error: r.error ?? '' })),
  };
}

export function formatSummary(r: FanoutReport): string {
  const lines = [
    `fan-out ${r.method} x ${r.calls} calls to ${r.targets} targets via ${r.servers.join(',')} (${r.function})`,
    `  ok ${r.ok}  failed ${r.failed}  retried ${r.retried}  (${r.attempts} jobs submitted)`,
    `  latency ms (job round trip): p50 ${r.latencyMs.p50}  p95 ${r.latencyMs.p95}  max ${r.latencyMs.max}   ` +
      `HTTP alone: p50 ${r.httpMs.p50}  p95 ${r.httpMs.p95}`,
    `  wall ${r.wallMs} ms  (${r.callsPerSec} calls/s)`,
  ];
  if (r.combinedSha1) lines.push(`  pulled ${r.bytes} bytes, combined sha1 ${r.combinedSha1}`);
  else lines.push(`  pushed, ${r.bytes} response bytes`);
  for (const [e, n] of Object.entries(r.errors)) lines.push(`  error x${n}: ${e}`);
  if (r.fleet) {
    const f = r.fleet;
    const verdict = f.matches ? 'matches the client' : `DIFFERS from the client's ${r.attempts}`;
    lines.push(
      `  fleet counted ${f.requests} requests (${f.get} GET, ${f.post} POST, ${f.failures} injected failures): ` +
        verdict,
    );
  }
  return lines.join('\n');
}
