// A job store that fails under a running daemon is visible: `gmsup status` (text and --json) shows the
// store FAILING with a store-failing alarm, the HTTP /healthz answers 503; both recover with the disk.
// Needs root for a small tmpfs the store's disk can fill up.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Snapshot } from '../../../src/control/snapshot.js';
import { parseHostPort } from '../../../src/shared/host-port.js';
import { freePort } from '../../helpers/gearmand.js';
import { canMount, fillUp, tmpfs } from '../../helpers/tmpfs.js';
import { waitFor } from '../../helpers/wait-for.js';
import { submitMany } from '../server/store-harness.js';
import { startDaemon } from './daemon-harness.js';

test('a failing store shows in gmsup status, its alarm and /healthz; all recover', { skip: canMount() }, async (t) => {
  const disk = tmpfs(t, '4m');
  const httpPort = await freePort();
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
  store: sqlite:${join(disk, 'jobs.db')}?sync=normal
  http: 127.0.0.1:${httpPort}
workers: {}
`,
    { waitRunning: false },
  );
  const address = await waitFor(() => d.server(), { timeoutMs: 15_000, what: 'the embedded server sampled' });
  const port = parseHostPort(address).port;
  const healthz = async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status;
  const snap = async () => JSON.parse(d.cli('status', d.file, '--json').stdout) as Snapshot;
  await waitFor(async () => (await snap()).servers[0]?.store?.state === 'ok', { what: 'store ok in the snapshot' });
  assert.equal(await healthz(), 200);

  fillUp(join(disk, 'filler'));
  const big = 'x'.repeat(8192);
  await waitFor(
    async () => (await submitMany(port, 'df', [`${Date.now()}-${big}`, `${Date.now()}-2-${big}`])).refused.length > 0,
    { timeoutMs: 20_000, what: 'a submission refused on the full disk' },
  );
  const failing = await waitFor(
    async () => {
      const s = await snap();
      return s.servers[0]?.store?.state === 'failing' && s.alarms.some((a) => a.kind === 'store-failing') ? s : null;
    },
    { timeoutMs: 15_000, what: 'the failing store in the snapshot' },
  );
  assert.match(failing.servers[0]?.store?.store ?? '', /^sqlite:.*jobs\.db/);
  const failingStatus = d.cli('status', d.file);
  assert.match(failingStatus.stdout, /store sqlite:.*jobs\.db.* FAILING \(.*background jobs refused\)/);
  assert.equal(failingStatus.status, 20, 'gmsup status exits 20 (STORE_FAILING) while a store fails');
  assert.match(failingStatus.stderr, /^gmsup status: job store failing on 127\.0\.0\.1:\d+ \(/m);
  assert.match(d.cli('status', d.file).stdout, /store-failing \(job store\) on 127\.0\.0\.1:\d+: job store sqlite:/);
  await waitFor(async () => (await healthz()) === 503, { what: '/healthz 503 while the store fails' });

  rmSync(join(disk, 'filler'));
  await waitFor(async () => (await snap()).servers[0]?.store?.state === 'ok', {
    timeoutMs: 20_000,
    what: 'the store ok again',
  });
  await waitFor(async () => (await healthz()) === 200, { what: '/healthz 200 again' });
  assert.equal((await snap()).alarms.filter((a) => a.kind === 'store-failing').length, 0);
  assert.equal(d.cli('status', d.file).status, 0, 'gmsup status exits 0 once the store recovered');
});
