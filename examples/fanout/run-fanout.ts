// The fan-out client as a library: one foreground `http_call` job per call, all in flight at once
// over the client's multiplexed connection; failed jobs are resubmitted with capped backoff.

import { type BackoffPolicy, backoffDelayMs, GearmanClient } from 'gmsup/client';
import { buildReport, type CallRecord, type FanoutReport, type FleetDelta } from './report.js';

export interface FanoutOptions {
  servers: string[];
  fn?: string;
  urls: string[];
  method: 'GET' | 'POST';
  /** POST body (utf8). */
  body?: string;
  /** Calls per target (20,000 calls = 2000 targets x 10). */
  repeat?: number;
  /** Per-call HTTP timeout, enforced by the worker. */
  callTimeoutMs?: number;
  /** Resubmits of a failed job; the call counts as failed after 1 + retries attempts. */
  retries?: number;
  backoff?: BackoffPolicy;
  /** Jobs in flight at once (default: every call). */
  maxInFlight?: number;
  /** Fleet control URL: the report then carries the fleet's own count of this run's requests. */
  fleetControlUrl?: string;
  /** Called once per finished call. */
  onCall?(done: number, total: number, rec: CallRecord): void;
}

export const DEFAULT_RETRIES = 3;
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0.2 };

interface FleetTotals {
  get: number;
  post: number;
  other: number;
  ok: number;
  fail5xx: number;
  resets: number;
  timeouts: number;
}

async function fleetTotals(controlUrl: string): Promise<FleetTotals> {
  const res = await fetch(`${controlUrl}/counts`);
  if (!res.ok) throw new Error(`fleet control ${controlUrl} answered ${res.status}`);
  return ((await res.json()) as { totals: FleetTotals }).totals;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFanout(opts: FanoutOptions): Promise<FanoutReport> {
  const fn = opts.fn ?? 'http_call';
  const repeat = opts.repeat ?? 1;
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const total = opts.urls.length * repeat;
  const before = opts.fleetControlUrl ? await fleetTotals(opts.fleetControlUrl) : undefined;
  // Payloads are built by concatenation from pre-escaped parts: JSON.stringify of the body once,
  // not once per call (at 2000+ calls that is measurable CPU on a small machine).
  const bodyField = opts.body !== undefined ? `,"body":${JSON.stringify(opts.body)}` : '';
  const timeoutField = opts.callTimeoutMs ? `,"timeoutMs":${opts.callTimeoutMs}` : '';
  const tail = `,"method":"${opts.method}"${bodyField}${timeoutField}}`;
  const payloads = opts.urls.map((u) => `{"url":${JSON.stringify(u)}${tail}`);
  const runId = `${process.pid.toString(36)}.${Date.now().toString(36)}`;
  const client = new GearmanClient({ servers: opts.servers });
  const records = new Array<CallRecord>(total);
  let done = 0;

  const call = async (k: number): Promise<void> => {
    const target = k % opts.urls.length;
    const rec: CallRecord = { target, ok: false, attempts: 0, jobMs: 0 };
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoffDelayMs(backoff, attempt - 1));
      rec.attempts++;
      const started = performance.now();
      try {
        // A unique per attempt: never coalesced with another call, and the client may resubmit it to
        // the next server if its connection drops mid-job.
        const payload = payloads[target]!; // target < urls.length = payloads.length
        const out = await client.submit(fn, payload, { unique: `${runId}.${k}.${attempt}`, exceptions: true });
        const r = JSON.parse(out.toString('utf8')) as { status: number; bytes: number; ms: number; sha1: string };
        Object.assign(rec, {
          ok: true,
          jobMs: performance.now() - started,
          status: r.status,
          bytes: r.bytes,
          httpMs: r.ms,
          sha1: r.sha1,
          error: undefined,
        });
        break;
      } catch (err) {
        rec.jobMs = performance.now() - started;
        rec.error = err instanceof Error ? err.message : String(err);
      }
    }
    records[k] = rec;
    opts.onCall?.(++done, total, rec);
  };

  const started = performance.now();
  let next = 0;
  const lane = async () => {
    for (let k = next++; k < total; k = next++) await call(k);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.maxInFlight ?? total, total) }, lane));
  } finally {
    await client.close();
  }
  const wallMs = performance.now() - started;
  const report = buildReport({ fn, servers: opts.servers, method: opts.method, urls: opts.urls, records, wallMs });
  if (opts.fleetControlUrl && before) {
    const after = await fleetTotals(opts.fleetControlUrl);
    const d = (k: keyof FleetTotals) => after[k] - before[k];
    const fleet: FleetDelta = {
      requests: d('get') + d('post') + d('other'),
      get: d('get'),
      post: d('post'),
      ok: d('ok'),
      failures: d('fail5xx') + d('resets') + d('timeouts'),
      matches: false,
    };
    fleet.matches = fleet.requests === report.attempts && fleet.ok === report.ok;
    report.fleet = fleet;
  }
  return report;
}
