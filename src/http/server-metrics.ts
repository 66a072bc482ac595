// The job server's metric families, read at scrape time from the local gateway (queues, connections,
// counters, store) plus this process and the HTTP listener's own request counts. Pure over its inputs.

import { isUtf8 } from 'node:buffer';
import type { FunctionCounters, LocalGateway } from '../server/index.js';
import type { HistogramSample, MetricFamily, Sample } from './exposition.js';

export const PRIORITY_NAMES = ['high', 'normal', 'low'] as const;

/** A function name (bytes held as latin1) as a label value: UTF-8 when the bytes are, else byte per char. */
export function labelText(latin1: string): string {
  const bytes = Buffer.from(latin1, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : latin1;
}

/** What the HTTP listener counts of itself. */
export interface HttpRequestCounts {
  /** `route\tcode` -> requests answered. */
  readonly answered: ReadonlyMap<string, number>;
  readonly inFlight: number;
}

export interface ProcessReading {
  cpuSeconds: number;
  rssBytes: number;
  startTimeSeconds: number;
}

export function readProcess(): ProcessReading {
  const cpu = process.cpuUsage();
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBytes: process.memoryUsage.rss(),
    startTimeSeconds: Math.round((Date.now() - process.uptime() * 1000) / 1000),
  };
}

const counter = (name: string, help: string, samples: Sample[]): MetricFamily => ({
  name,
  help,
  type: 'counter',
  samples,
});
const gauge = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name, help, type: 'gauge', samples });

function byPriority(counters: Array<[string, FunctionCounters]>, pick: (c: FunctionCounters) => number[]): Sample[] {
  const out: Sample[] = [];
  for (const [name, c] of counters) {
    const values = pick(c);
    for (let p = 0; p < 3; p++) {
      out.push({ labels: { function: labelText(name), priority: PRIORITY_NAMES[p]! }, value: values[p] ?? 0 });
    }
  }
  return out;
}

export function serverFamilies(
  gw: LocalGateway,
  version: string,
  http: HttpRequestCounts,
  proc: ProcessReading,
): MetricFamily[] {
  const fns = gw.functions().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const counters = [...gw.metrics.functions()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const queued: Sample[] = [];
  for (const f of fns) {
    for (let p = 0; p < 3; p++) {
      queued.push({ labels: { function: labelText(f.name), priority: PRIORITY_NAMES[p]! }, value: f.queued[p]! });
    }
  }
  const durations: HistogramSample[] = counters.map(([name, c]) => ({
    labels: { function: labelText(name) },
    bounds: c.duration.boundsS,
    counts: c.duration.counts,
    sum: c.duration.sum,
    count: c.duration.count,
  }));
  const conns = gw.connections();
  const families: MetricFamily[] = [
    gauge('gmsup_build_info', 'gmsup version, always 1.', [{ labels: { version }, value: 1 }]),
    gauge('gmsup_server_start_time_seconds', 'Unix time the job server started.', [
      { labels: {}, value: Math.round(gw.startedAtMs / 1000) },
    ]),
    gauge('gmsup_server_accepting', '1 while the job server accepts jobs, 0 once it is closing or shutting down.', [
      { labels: {}, value: gw.accepting() ? 1 : 0 },
    ]),
    gauge(
      'gmsup_function_queued_jobs',
      'Jobs waiting for a worker (including background jobs not yet due or not yet committed).',
      queued,
    ),
    gauge(
      'gmsup_function_running_jobs',
      'Jobs assigned to a worker.',
      fns.map((f) => ({ labels: { function: labelText(f.name) }, value: f.running })),
    ),
    gauge(
      'gmsup_function_workers',
      'Connections that registered the function (CAN_DO).',
      fns.map((f) => ({ labels: { function: labelText(f.name) }, value: f.workers })),
    ),
    counter(
      'gmsup_jobs_submitted_total',
      'Jobs created by a submission (a submission that joined a job with the same unique is not counted here).',
      byPriority(counters, (c) => c.submitted),
    ),
    counter(
      'gmsup_jobs_coalesced_total',
      'Submissions that joined an existing job with the same unique instead of creating one.',
      byPriority(counters, (c) => c.coalesced),
    ),
    counter(
      'gmsup_jobs_completed_total',
      'Jobs that ended with WORK_COMPLETE.',
      byPriority(counters, (c) => c.completed),
    ),
    counter(
      'gmsup_jobs_failed_total',
      'Jobs that ended with WORK_FAIL: from a worker, or decided by the server (retry limit, cancel job).',
      byPriority(counters, (c) => c.failed),
    ),
    counter(
      'gmsup_jobs_exceptions_total',
      'Jobs that ended with WORK_EXCEPTION.',
      byPriority(counters, (c) => c.exceptions),
    ),
    {
      name: 'gmsup_job_duration_seconds',
      help: "Time from a job's assignment to a worker to the worker's final result (1 ms resolution).",
      type: 'histogram',
      samples: durations,
    },
    gauge(
      'gmsup_connections',
      'Open connections by kind: worker once it sent CAN_DO, admin once it sent a text command, ' +
        'http = an HTTP submission in progress.',
      Object.entries(conns).map(([kind, n]) => ({ labels: { kind }, value: n })),
    ),
    ...storeFamilies(gw),
    counter(
      'gmsup_http_requests_total',
      'HTTP requests answered, by route and status code.',
      [...http.answered].map(([key, n]) => {
        const [route = '', code = ''] = key.split('\t');
        return { labels: { route, code }, value: n };
      }),
    ),
    gauge('gmsup_http_requests_in_flight', 'HTTP requests being handled now.', [{ labels: {}, value: http.inFlight }]),
    counter('process_cpu_seconds_total', 'User and system CPU time of this process.', [
      { labels: {}, value: proc.cpuSeconds },
    ]),
    gauge('process_resident_memory_bytes', 'Resident memory of this process.', [{ labels: {}, value: proc.rssBytes }]),
    gauge('process_start_time_seconds', 'Unix time this process started.', [
      { labels: {}, value: proc.startTimeSeconds },
    ]),
  ];
  return families;
}

function storeFamilies(gw: LocalGateway): MetricFamily[] {
  const s = gw.store();
  if (s === null) return [];
  const labels = { store: s.store };
  const out: MetricFamily[] = [
    gauge('gmsup_store_healthy', '1 while the job store commits, 0 while its commits fail.', [
      { labels, value: s.state === 'ok' ? 1 : 0 },
    ]),
    gauge('gmsup_store_pending_writes', 'New jobs and deletes accepted but not yet committed.', [
      { labels, value: s.pendingWrites },
    ]),
    counter('gmsup_store_commits_total', 'Group commits that succeeded.', [{ labels, value: s.committedBatches }]),
    counter('gmsup_store_commit_failures_total', 'Commit attempts that failed.', [{ labels, value: s.failedCommits }]),
  ];
  if (!s.store.startsWith('memory')) {
    const h = gw.metrics.commitDuration;
    out.push({
      name: 'gmsup_store_commit_duration_seconds',
      help: 'How long each group commit of the durable store took.',
      type: 'histogram',
      samples: [{ labels, bounds: h.boundsS, counts: h.counts, sum: h.sum, count: h.count }],
    });
  }
  return out;
}
