// `gmsup start`: the embedded server keeps background jobs in sqlite in the state directory by default
// (they survive kill -9 of the daemon), and `store: memory` opts out.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { parseHostPort } from '../../../src/shared/host-port.js';
import { stateDirFor } from '../../../src/shared/state-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startDaemon } from '../daemon/daemon-harness.js';
import { admin, submitMany, totalJobs } from './store-harness.js';

async function daemonPort(d: Awaited<ReturnType<typeof startDaemon>>): Promise<number> {
  // The snapshot lists the embedded server once the daemon has sampled it (about a second).
  const address = await waitFor(() => d.server(), { timeoutMs: 15_000, what: 'the embedded server in the snapshot' });
  return parseHostPort(address).port;
}

async function restart(t: TestContext, d: Awaited<ReturnType<typeof startDaemon>>, yaml: string) {
  d.proc.kill('SIGKILL');
  await d.exitCode;
  const again = await startDaemon(t, yaml, { dir: d.dir });
  return again;
}

test('gmsup start keeps background jobs in <state dir>/jobs.db: they survive kill -9 of the daemon', async (t) => {
  const yaml = 'server:\n  listen: 127.0.0.1:0\nworkers: {}\n';
  const d = await startDaemon(t, yaml);
  const port = await daemonPort(d);
  const r = await submitMany(
    port,
    'nobody',
    Array.from({ length: 300 }, (_, i) => `j${i}`),
  );
  assert.equal(r.acked.size, 300);
  assert.ok(existsSync(join(stateDirFor(d.file), 'jobs.db')));
  assert.match(await admin(port, 'store'), /^store\tsqlite:.*\/\.gmsup\/workers\/jobs\.db\n/);
  const again = await restart(t, d, yaml);
  assert.equal(await totalJobs(await daemonPort(again), 'nobody'), 300);
});

test('store: memory opts out: nothing survives a restart', async (t) => {
  const yaml = 'server:\n  listen: 127.0.0.1:0\n  store: memory\nworkers: {}\n';
  const d = await startDaemon(t, yaml);
  const port = await daemonPort(d);
  assert.equal((await submitMany(port, 'nobody', ['x'])).acked.size, 1);
  assert.match(await admin(port, 'store'), /^store\tmemory\n/);
  const again = await restart(t, d, yaml);
  assert.equal(await totalJobs(await daemonPort(again), 'nobody'), 0);
  assert.equal(existsSync(join(stateDirFor(d.file), 'jobs.db')), false);
});
