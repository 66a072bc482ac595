// `npm run multihost [-- --jobs N --cut-jobs N]`: gmsup on several hosts, on one machine. Builds network
// namespaces joined by a bridge (two server hosts with a store, three worker hosts, a client host), runs
// (a) kill -9 of a server while jobs flow and (b) a worker host cut off, and prints the figures.
// Needs root (ip netns); everything it creates is deleted at the end, also on failure or Ctrl-C.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { labUnavailable, removeStaleLabs } from './multihost/netns-lab.js';
import { bringUp, SERVER_HOSTS, WORKER_HOSTS, type LabHosts } from './multihost/hosts.js';
import { crashScenario, cutScenario, formatFigures } from './multihost/scenarios.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    'cut-jobs': { type: 'string', default: '900' },
    rate: { type: 'string', default: '2500' },
    /** Below what the two hosts left can run, so a released job starts at once (no queue to wait in). */
    'cut-rate': { type: 'string', default: '150' },
    /** How long each job runs: short in (a), longer in (b) so the cut host is holding jobs when cut. */
    'job-ms': { type: 'string', default: '5' },
    'cut-job-ms': { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
  },
});
const log = (line: string) => process.stderr.write(`multihost: ${line}\n`);

const why = labUnavailable();
if (why) {
  log(`skipped: ${why}`);
  process.exit(0);
}
for (const ns of removeStaleLabs()) log(`left alone: namespace ${ns} of an earlier run still has processes`);
const dir = mkdtempSync(join(tmpdir(), 'gmsup-multihost-'));
let hosts: LabHosts | null = null;
const cleanUp = async () => {
  await hosts?.lab.destroy();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
};
const onSignal = () => {
  log('interrupted: cleaning up');
  void cleanUp().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  const startMs = Date.now();
  hosts = await bringUp({ dir, log });
  log(
    `lab up in ${Date.now() - startMs} ms: servers ${hosts.servers.join(', ')} (store ${hosts.store ?? 'memory'}), ` +
      `${WORKER_HOSTS.length} worker hosts x 2 workers registered on both, files in ${dir}`,
  );
  if (!hosts.store) log(`gmsup server has no --store in this build: ${SERVER_HOSTS[0]} restarts empty`);
  const jobs = Number(values.jobs);
  const crash = await crashScenario(hosts, {
    first: 0,
    jobs,
    ratePerS: Number(values.rate),
    jobMs: Number(values['job-ms']),
    log,
  });
  const cut = await cutScenario(hosts, {
    first: jobs,
    jobs: Number(values['cut-jobs']),
    ratePerS: Number(values['cut-rate']),
    jobMs: Number(values['cut-job-ms']),
    host: 'wrk1',
    log,
  });
  process.stdout.write(`${formatFigures(crash, cut)}\n`);
  process.exitCode = crash.lost === 0 && cut.lost === 0 && cut.workersSurvived ? 0 : 1;
} catch (err) {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
