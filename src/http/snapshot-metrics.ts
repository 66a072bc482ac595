// The daemon's metric families from its Snapshot (the same data `gmsup status --json` prints): per
// worker instance state, restarts, CPU, memory, jobs and registration; per worker desired counts and
// autoscaling; whether each job server answered the last poll. Pure.

import type { InstanceState, Snapshot } from '../control/snapshot.js';
import type { MetricFamily, Sample } from './exposition.js';

const INSTANCE_STATES: readonly InstanceState[] = [
  'STOPPED',
  'STARTING',
  'RUNNING',
  'BACKOFF',
  'STOPPING',
  'EXITED',
  'FATAL',
];

export function snapshotFamilies(snap: Snapshot): MetricFamily[] {
  const states: Sample[] = [];
  const restarts: Sample[] = [];
  const cpu: Sample[] = [];
  const rss: Sample[] = [];
  const jobs: Sample[] = [];
  const registered: Sample[] = [];
  const servers: Sample[] = [];
  const uptime: Sample[] = [];
  for (const i of snap.instances) {
    const labels = { worker: i.name, index: String(i.index) };
    for (const s of INSTANCE_STATES) states.push({ labels: { ...labels, state: s }, value: i.state === s ? 1 : 0 });
    restarts.push({ labels, value: i.restarts });
    if (i.cpuPercent !== null) cpu.push({ labels, value: i.cpuPercent / 100 });
    if (i.rssBytes !== null) rss.push({ labels, value: i.rssBytes });
    if (i.uptimeMs !== null) uptime.push({ labels, value: i.uptimeMs / 1000 });
    jobs.push({ labels: { ...labels, outcome: 'done' }, value: i.jobsDone });
    jobs.push({ labels: { ...labels, outcome: 'failed' }, value: i.jobsFailed });
    registered.push({ labels, value: i.registeredOn });
    servers.push({ labels, value: i.serverCount });
  }
  const g = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name, help, type: 'gauge', samples });
  return [
    g(
      'gmsup_worker_instance_state',
      'The state of each worker instance: 1 for the current state, 0 for the others.',
      states,
    ),
    {
      name: 'gmsup_worker_instance_restarts_total',
      help: 'Times the instance was restarted since the daemon started.',
      type: 'counter',
      samples: restarts,
    },
    g(
      'gmsup_worker_instance_cpu_usage_ratio',
      "Share of one CPU core the instance's process used at the last sample.",
      cpu,
    ),
    g('gmsup_worker_instance_resident_memory_bytes', "Resident memory of the instance's process.", rss),
    g('gmsup_worker_instance_uptime_seconds', "How long the instance's current process has been up.", uptime),
    {
      name: 'gmsup_worker_instance_jobs_total',
      help: "Jobs the instance's process finished, by outcome (resets when the process is replaced).",
      type: 'counter',
      samples: jobs,
    },
    g(
      'gmsup_worker_instance_registered_servers',
      'Job servers on which the instance is verified registered.',
      registered,
    ),
    g('gmsup_worker_instance_servers', 'Job servers the instance should be registered on.', servers),
    g(
      'gmsup_worker_desired_instances',
      'Instances the daemon keeps running for the worker (the file, the autoscaler, or a `gmsup scale` override).',
      snap.programs.map((p) => ({ labels: { worker: p.name }, value: p.stopped ? 0 : p.desired })),
    ),
    ...autoscaleFamilies(snap),
    g(
      'gmsup_jobserver_reachable',
      "1 when the job server answered the daemon's last poll.",
      snap.servers.map((s) => ({ labels: { server: s.address }, value: s.reachable ? 1 : 0 })),
    ),
  ];
}

/** Autoscaled workers: their range, the wait the autoscaler estimates, its changes, and a holding guard. */
function autoscaleFamilies(snap: Snapshot): MetricFamily[] {
  const scaled = snap.programs.flatMap((p) => (p.autoscale ? [{ worker: p.name, a: p.autoscale }] : []));
  const g = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name, help, type: 'gauge', samples });
  const each = (value: (a: (typeof scaled)[number]['a']) => number | null): Sample[] =>
    scaled.flatMap(({ worker, a }) => {
      const v = value(a);
      return v === null ? [] : [{ labels: { worker }, value: v }];
    });
  return [
    g(
      'gmsup_autoscale_min_instances',
      'The lower bound of an autoscaled worker (autoscale.min).',
      each((a) => a.min),
    ),
    g(
      'gmsup_autoscale_max_instances',
      'The upper bound of an autoscaled worker (autoscale.max).',
      each((a) => a.max),
    ),
    g(
      'gmsup_autoscale_estimated_wait_seconds',
      'How long a job queued now would wait, as the autoscaler estimates it (queued x job time / slots).',
      each((a) => (a.estimatedWaitMs === null ? null : a.estimatedWaitMs / 1000)),
    ),
    {
      name: 'gmsup_autoscale_changes_total',
      help: 'Changes the autoscaler made to the instance count since the daemon started.',
      type: 'counter',
      samples: each((a) => a.changes),
    },
    g(
      'gmsup_autoscale_guard_holding',
      '1 while the machine guard (load, free memory) holds back a scale-up the queue asks for.',
      each((a) => (a.guard === null ? 0 : 1)),
    ),
  ];
}
