// gmsup on several hosts (network namespaces on a bridge, loopback-range addresses): two `gmsup server`
// hosts with a store, three `gmsup start` hosts whose workers register on both, a client host. (a) kill -9
// of one server while 10,000 background jobs flow, restarted from its store: no job lost (duplicates are
// counted: at-least-once). (b) a worker host cut off silently (no close, links stay up): the servers drop
// it by keepalive and the jobs it held complete elsewhere; its workers find their connections dead the
// same way, survive and register again. Every job is counted from what workers wrote.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bringUp, LAB_KEEPALIVE_BOUND_MS, storeSupport, type LabHosts } from '../../../scripts/multihost/hosts.js';
import { labUnavailable, pidsIn, removeStaleLabs } from '../../../scripts/multihost/netns-lab.js';
import { crashScenario, cutScenario, formatFigures } from '../../../scripts/multihost/scenarios.js';

const unavailable = labUnavailable();
const noStore = unavailable ? false : storeSupport() ? false : 'needs `gmsup server --store` (the durable store)';

describe('several hosts', { skip: unavailable ?? false }, () => {
  let hosts: LabHosts | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-multihost-'));
  const log = (line: string) => process.stderr.write(`# multihost: ${line}\n`);

  before(async () => {
    for (const ns of removeStaleLabs()) log(`left alone: namespace ${ns} of an earlier run still has processes`);
    hosts = await bringUp({ dir, log });
  });
  after(async () => {
    await hosts?.lab.destroy();
    rmSync(dir, { recursive: true, force: true });
    const left = hosts?.lab.namespaces() ?? [];
    assert.deepEqual(left, [], 'every namespace of the lab is deleted');
  });

  test('a namespace left by a killed run (dead owner, nothing inside) is removed; live labs are not', (t) => {
    const dead = `gmsup-${2 ** 22 + 1}-stale`; // above Linux's largest pid: that owner cannot be alive
    assert.equal(spawnSync('ip', ['netns', 'add', dead]).status, 0);
    t.after(() => spawnSync('ip', ['netns', 'del', dead])); // if the test fails before removeStaleLabs
    assert.equal(pidsIn(dead).length, 0);
    removeStaleLabs();
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(list, new RegExp(dead));
    assert.match(list, new RegExp(`gmsup-${process.pid}-srv1`), "this run's lab stays");
  });

  test('(a) kill -9 of a server while 10,000 background jobs flow: none lost', { skip: noStore }, async () => {
    const figures = await crashScenario(hosts!, { first: 0, jobs: 10_000, ratePerS: 2500, jobMs: 5, log });
    log(formatFigures(figures, null));
    assert.deepEqual(figures.missingIds, [], `lost jobs: ${figures.lost}`);
    assert.equal(figures.lost, 0);
    assert.ok(figures.serveAgainMs !== null, 'the restarted server handed out jobs again');
  });

  test('(b) a worker host cut off: its jobs complete elsewhere within the keepalive bound', async () => {
    const figures = await cutScenario(hosts!, {
      first: 100_000,
      jobs: 900,
      ratePerS: 150,
      jobMs: 300,
      host: 'wrk1',
      log,
    });
    log(formatFigures(null, figures));
    assert.equal(figures.lost, 0, `lost: ${figures.missingIds.join(' ')}`);
    assert.ok(figures.heldByCutHost > 0, 'the cut host held running jobs when it was cut');
    // The bound: idle + interval x count when the server sends nothing to the vanished worker, user
    // timeout (= the same) after the first unacknowledged send: at most twice the bound, plus the
    // job's own 300 ms and scheduling. Without keepalive this takes the kernel's ~15 minutes.
    assert.ok(
      figures.releaseMs !== null && figures.releaseMs < 2 * LAB_KEEPALIVE_BOUND_MS + 3000,
      JSON.stringify(figures),
    );
    assert.ok(figures.workersSurvived, "the cut host's workers are the same processes, registered again");
    // The other side (a worker behind a NAT that dropped its connections): its own keepalive finds every
    // server connection dead (2 workers x 2 servers) within the same bound, and it reconnects.
    assert.equal(figures.workerConnectionsDropped, 4, JSON.stringify(figures));
    assert.ok(figures.workersNoticedMs !== null && figures.workersNoticedMs < 2 * LAB_KEEPALIVE_BOUND_MS + 3000);
  });
});
