// Recycling with jobs flowing: max_jobs (the worker leaves by itself, its replacement is started at
// once) and max_memory (replacement first, then the old one drains). No job fails along the way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, instancesOf, isAlive, nth, startDaemon } from './daemon-harness.js';

test('max_jobs and max_memory recycle instances without losing a job', async (t) => {
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
workers:
  counted:
    module: ${fixture('echo.mjs')}
    instances: 1
    max_jobs: 3
    restart:
      start_seconds: 0.2
  leaky:
    module: ${fixture('leak.mjs')}
    instances: 1
    max_memory: 110MiB
    restart:
      start_seconds: 0.2
`,
  );
  const client = new GearmanClient({ servers: [await d.server()] });
  t.after(() => client.close());

  // max_jobs: 10 jobs one after another through a single-instance worker that leaves every 3 jobs.
  const pids = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = (await client.submit('counted', `n${i}`, { timeoutMs: 15_000 })).toString();
    assert.match(r, new RegExp(`^\\d+:n${i}$`));
    pids.add(nth(r.split(':'), 0, 'pid in the reply'));
  }
  assert.ok(pids.size >= 4, `3 jobs per process: ${[...pids].join(',')}`);
  const counted = await waitFor(
    async () => {
      const i = instancesOf(await d.status(), 'counted').find((x) => !x.retiring);
      return i?.state === 'RUNNING' ? i : null;
    },
    { what: 'counted running' },
  );
  assert.equal(counted.lastExit, 'max_jobs reached');
  assert.ok(counted.restarts >= 3);
  for (const pid of pids)
    if (Number(pid) !== counted.pid) await waitFor(() => !isAlive(Number(pid)), { what: `recycled ${pid} gone` });

  // max_memory: each job keeps 40 MiB; past 110 MiB RSS the instance is replaced, replacement first.
  const first = nth(instancesOf(await d.status(), 'leaky'), 0, 'leaky instance');
  const results: string[] = [];
  for (let i = 0; i < 3; i++) results.push((await client.submit('leaky', `m${i}`, { timeoutMs: 15_000 })).toString());
  const replaced = await waitFor(
    async () => {
      const s = await d.status();
      const cur = instancesOf(s, 'leaky').find((x) => !x.retiring);
      return cur && cur.pid !== first.pid && cur.state === 'RUNNING' && cur.registeredOn === 1 ? cur : null;
    },
    { timeoutMs: 15_000, what: 'leaky replaced' },
  );
  assert.match(replaced.lastExit ?? '', /max_memory: RSS \d+ MiB > 110 MiB/);
  await waitFor(() => !isAlive(first.pid!), { what: 'old leaky drained and gone' });
  const out = d.output();
  const took = out.indexOf(`leaky/0: pid ${replaced.pid} took over from pid ${first.pid}`);
  const oldStopping = out.indexOf(`leaky/0/${first.pid} RUNNING -> STOPPING`);
  assert.ok(took >= 0 && oldStopping > took, `the replacement ran before the old one was stopped:\n${out}`);
  // Jobs still work after the recycle.
  assert.match((await client.submit('leaky', 'after')).toString(), /^\d+:after:1$/);
});
