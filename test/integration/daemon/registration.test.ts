// Registration is verified, not assumed: an instance whose registration vanished while its process
// lives (a `process:` program that sends CANT_DO) is asked to re-register, then restarted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../../helpers/gearmand.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, instancesOf, startDaemon } from './daemon-harness.js';

test('a registration that vanishes while the process lives gets the instance restarted', async (t) => {
  const port = await freePort();
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:${port}
workers:
  unreg:
    process: ${process.execPath} ${fixture('unregisters.mjs')}
    instances: 1
    env: { DROP_AFTER_MS: "1500" }
    restart: { start_seconds: 0.2 }
`,
    { waitRunning: false },
  );
  const first = await waitFor(
    async () => {
      const i = instancesOf(await d.status(), 'unreg')[0];
      return i?.state === 'RUNNING' && i.registeredOn === 1 ? i : null;
    },
    { timeoutMs: 15_000, what: 'unreg running and registered 1/1' },
  );
  // After CANT_DO it shows 0/1, then the daemon asks for re-registration (a process: worker cannot),
  // then restarts it: a new pid, one more restart, registered again.
  await waitFor(async () => instancesOf(await d.status(), 'unreg')[0]?.registeredOn === 0, {
    timeoutMs: 10_000,
    what: 'registration seen gone (0/1)',
  });
  const next = await waitFor(
    async () => {
      const i = instancesOf(await d.status(), 'unreg')[0];
      return i && i.pid !== first.pid && i.state === 'RUNNING' && i.registeredOn === 1 ? i : null;
    },
    { timeoutMs: 20_000, what: 'the instance restarted and registered again' },
  );
  assert.ok(next.restarts > first.restarts, `restarts ${first.restarts} -> ${next.restarts}`);
  const logs = d.cli('logs', d.file);
  assert.match(logs.stdout, /regist/i, 'the daemon log says why it acted');
});
