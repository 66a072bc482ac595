// The in-process runtime under stress: a job server killed and restarted under a running worker, two
// servers at once (one dying), and the concurrency limit held across servers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { GearmanClient, adminStatus } from '../../../src/client/index.js';
import { runWorker } from '../../../src/worker/index.js';
import type { ChildMessage } from '../../../src/worker/ipc-messages.js';
import { defined, itemAt } from '../../helpers/defined.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FIXTURES, SERVER_KINDS, spec, startServer, type ServerKind } from './helpers.js';

const registered = (address: string, fn: string) => async () =>
  (await adminStatus(address)).find((s) => s.name === fn && s.availableWorkers > 0);

for (const { kind, skip } of SERVER_KINDS) {
  test(`${kind}: a job server killed and restarted under a running worker sees it again`, { skip }, async (t) => {
    let server = await startServer(kind);
    t.after(() => server.stop());
    const w = await runWorker(
      spec({ function: 'echoRestart', servers: [server.address], modulePath: join(FIXTURES, 'echo.ts') }),
    );
    t.after(() => w.force());
    await waitFor(registered(server.address, 'echoRestart'));
    const link = itemAt(defined(w.runtime, 'the worker runtime').links, 0, 'server links');
    const c1 = new GearmanClient({ servers: [server.address] });
    assert.equal((await c1.submit('echoRestart', 'before')).toString(), 'before');
    c1.close();

    await server.stop();
    await waitFor(() => link.current.phase !== 'ready', { what: 'worker to notice the server is gone' });
    server = await startServer(kind, server.port);
    await waitFor(registered(server.address, 'echoRestart'), { what: 'worker registered again' });
    const c2 = new GearmanClient({ servers: [server.address] });
    t.after(() => c2.close());
    assert.equal((await c2.submit('echoRestart', 'after')).toString(), 'after');
  });
}

const secondKind: ServerKind = SERVER_KINDS[1].skip ? 'embedded' : 'gearmand';

test(`two servers at once (embedded + ${secondKind}): jobs from both; one dies, the other keeps working`, async (t) => {
  const a = await startServer('embedded');
  const b = await startServer(secondKind);
  t.after(() => a.stop());
  t.after(() => b.stop());
  const w = await runWorker(
    spec({ function: 'reverse', servers: [a.address, b.address], modulePath: join(FIXTURES, 'reverse.ts') }),
  );
  t.after(() => w.force());
  await waitFor(registered(a.address, 'reverse'));
  await waitFor(registered(b.address, 'reverse'));
  const ca = new GearmanClient({ servers: [a.address] });
  const cb = new GearmanClient({ servers: [b.address] });
  t.after(() => ca.close());
  t.after(() => cb.close());
  const results = await Promise.all([
    ca.submit('reverse', 'abc'),
    cb.submit('reverse', 'xyz'),
    ca.submit('reverse', '12'),
    cb.submit('reverse', '34'),
  ]);
  assert.deepEqual(results.map(String), ['cba', 'zyx', '21', '43']);
  await a.stop();
  assert.equal((await cb.submit('reverse', 'still')).toString(), 'llits');
});

test('concurrency N: up to N jobs in flight across two servers, never more', async (t) => {
  const a = await startServer('embedded');
  const b = await startServer(secondKind);
  t.after(() => a.stop());
  t.after(() => b.stop());
  let inFlight = 0;
  let maxInFlight = 0;
  const onEvent = (m: ChildMessage) => {
    if (m.type === 'job:start') maxInFlight = Math.max(maxInFlight, ++inFlight);
    if (m.type === 'job:end') inFlight--;
  };
  const w = await runWorker(
    spec({
      function: 'slowConc',
      servers: [a.address, b.address],
      modulePath: join(FIXTURES, 'slow.ts'),
      concurrency: 3,
    }),
    { onEvent },
  );
  t.after(() => w.force());
  await waitFor(registered(a.address, 'slowConc'));
  await waitFor(registered(b.address, 'slowConc'));
  const ca = new GearmanClient({ servers: [a.address] });
  const cb = new GearmanClient({ servers: [b.address] });
  t.after(() => ca.close());
  t.after(() => cb.close());
  const jobs = [];
  for (let i = 0; i < 5; i++) jobs.push(ca.submit('slowConc', '150'), cb.submit('slowConc', '150'));
  const results = await Promise.all(jobs);
  assert.ok(results.every((r) => r.toString() === 'done:150'));
  assert.equal(maxInFlight, 3, `max in flight was ${maxInFlight}`);
  assert.equal(w.runtime!.jobsDone, 10);
});
