// Several hosts (docs/multihost.md): the network-namespace lab's figures in the bench table. (a) kill -9
// of one of two servers while 10,000 background jobs flow, restarted from its store; (b) a worker host
// cut off without a close. No reference runs the same lab: the figures stand alone (lost must be 0).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bringUp, type LabHosts } from '../../scripts/multihost/hosts.js';
import { labUnavailable, removeStaleLabs } from '../../scripts/multihost/netns-lab.js';
import { crashScenario, cutScenario, formatFigures } from '../../scripts/multihost/scenarios.js';
import type { BenchRow } from '../report.js';

const JOBS = 10_000;
const CUT_JOBS = 900;

export default async function multihost(): Promise<BenchRow[]> {
  const why = labUnavailable();
  const row = (group: string, metric: string, unit: string, value: number | null, note?: string): BenchRow => ({
    group,
    metric,
    unit,
    better: 'lower',
    gmsup: value,
    references: [],
    ...(note ? { note } : {}),
  });
  if (why) return [row('multihost', 'skipped', '-', null, why)];
  removeStaleLabs();
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-multihost-'));
  const log = (line: string) => process.stderr.write(`multihost: ${line}\n`);
  let hosts: LabHosts | null = null;
  try {
    hosts = await bringUp({ dir, log });
    const crash = await crashScenario(hosts, { first: 0, jobs: JOBS, ratePerS: 2500, jobMs: 5, log });
    const cut = await cutScenario(hosts, { first: JOBS, jobs: CUT_JOBS, ratePerS: 150, jobMs: 300, host: 'wrk1', log });
    log(formatFigures(crash, cut));
    const a = `multihost: kill -9 of 1 of 2 servers (store ${crash.store}), ${JOBS} background jobs`;
    const b = `multihost: 1 of 3 worker hosts cut off, ${CUT_JOBS} jobs of 300 ms`;
    return [
      row(a, 'jobs lost', 'jobs', crash.lost),
      row(a, 'jobs run twice (at-least-once)', 'jobs', crash.duplicated),
      row(a, 'kill -9 to listening again (store loaded)', 'ms', crash.recoverMs),
      row(a, 'kill -9 to serving jobs again', 'ms', crash.serveAgainMs),
      row(a, 'all jobs done', 'ms', crash.drainMs),
      row(b, 'jobs lost', 'jobs', cut.lost),
      row(
        b,
        "cut to the cut host's jobs done elsewhere",
        'ms',
        cut.releaseMs,
        `keepalive bound ${cut.keepaliveBoundMs} ms`,
      ),
      row(b, 'link back to registered again', 'ms', cut.reRegisteredMs),
    ];
  } finally {
    await hosts?.lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
