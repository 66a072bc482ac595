// The daemon's metric families from its Snapshot (the same data `gmsup status --json` prints): per
// worker instance state, restarts, CPU, memory, jobs and registration; per worker desired counts; and
// whether each job server answered the last poll. Pure.

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
      'Instances the daemon keeps running for the worker (the file, or a `gmsup scale` override).',
      snap.programs.map((p) => ({ labels: { worker: p.name }, value: p.stopped ? 0 : p.desired })),
    ),
    g(
      'gmsup_jobserver_reachable',
      "1 when the job server answered the daemon's last poll.",
      snap.servers.map((s) => ({ labels: { server: s.address }, value: s.reachable ? 1 : 0 })),
    ),
  ];
}
