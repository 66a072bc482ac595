// Autoscaling on the real daemon: a burst of 5,000 jobs of 20 ms on a worker with autoscale 1..8 scales
// up (the decision, with its reason, in the log, the Snapshot and `gmsup status`), the queue drains with
// every job run exactly once, and the instances fall back to 1 after the cooldown (drained, not killed).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import type { Snapshot } from '../../../src/control/snapshot.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, isAlive, startDaemon, waitAllRegistered, writeConfig } from './daemon-harness.js';

const JOBS = 5000;

test('5,000-job burst: 1 -> 8 instances, the queue drains, each job runs once, back to 1 after cooldown', async (t) => {
  // The machine guard is off: the test must not depend on the load of whatever else runs on the host
  // (the guard has its own unit tests with fake readings). A short cooldown keeps the test short.
  const d = await startDaemon(
    t,
    `
server: { listen: 127.0.0.1:0 }
workers:
  burst:
    module: ${fixture('record-20ms.mjs')}
    autoscale: { min: 1, max: 8, target_wait: 2s, cooldown: 3s, max_load_per_core: false, min_free_memory: false }
    env: { RECORD_DIR: records }
    stop_timeout: 10s
`,
  );
  const records = join(d.dir, 'records');
  mkdirSync(records);
  const first = await d.status();
  assert.equal(first.programs[0]?.desired, 1);
  assert.deepEqual([first.programs[0]?.autoscale?.min, first.programs[0]?.autoscale?.max], [1, 8]);

  // Follow the count while the burst runs (the status polls are the test's; the daemon samples on its own).
  const seen: number[] = [];
  let peak: Snapshot | null = null;
  let polling = true;
  const poller = (async () => {
    for (let i = 0; polling && i < 2000; i++) {
      const s = await d.status().catch(() => null);
      const desired = s?.programs[0]?.desired;
      if (s && desired !== undefined) {
        seen.push(desired);
        if (!peak || desired > (peak.programs[0]?.desired ?? 0)) peak = s;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  const client = new GearmanClient({ servers: [await d.server()] });
  t.after(() => client.close());
  const startedMs = Date.now();
  const results = await Promise.all(
    Array.from({ length: JOBS }, (_, i) => client.submit('burst', `job-${i}`).then((b) => b.toString())),
  );
  const drainMs = Date.now() - startedMs;
  t.diagnostic(`5,000 jobs drained in ${drainMs} ms; instance counts seen: ${[...new Set(seen)].join(' ')}`);
  assert.deepEqual(
    results,
    Array.from({ length: JOBS }, (_, i) => `job-${i}`),
  );

  // Up: one step to max, with the wait that asked for it.
  const up = (peak as Snapshot | null)?.programs[0]?.autoscale?.lastChange;
  assert.ok(up, `a scale-up happened (counts seen: ${seen.join(',')})`);
  assert.equal(Math.max(...seen), 8);
  assert.match(up.reason, /^queue wait \d+(\.\d)? s > 2 s: \+\d+$/);
  assert.match(d.output(), /daemon burst: autoscale 1 -> \d: queue wait \d+(\.\d)? s > 2 s: \+\d/);

  // Down: once idle through the cooldown, back to min; the removed instances drained and exited.
  const settled = await waitFor(
    async () => {
      const s = await d.status();
      const live = s.instances.filter((i) => i.name === 'burst');
      return s.programs[0]?.desired === 1 && live.length === 1 ? s : null;
    },
    { timeoutMs: 60_000, what: 'the count back at 1 with the others gone' },
  );
  polling = false;
  await poller;
  const down = settled.programs[0]?.autoscale?.lastChange;
  assert.ok(down && down.to === 1 && down.from > 1, JSON.stringify(down));
  assert.match(down.reason, /^idle: at most [\d.]+ of \d+ slots busy for 3 s: -\d+$/);
  assert.match(d.output(), /daemon burst: autoscale \d -> 1: idle: at most/);
  assert.doesNotMatch(d.output(), /SIGKILL|signal SIGTERM/, 'scale-down drains; nothing was killed');
  await waitAllRegistered(d);

  // Every job ran exactly once: the per-process records hold each payload once, none lost.
  const runs = readdirSync(records).flatMap((f) => readFileSync(join(records, f), 'utf8').split('\n').filter(Boolean));
  assert.equal(runs.length, JOBS, 'no job ran twice');
  assert.equal(new Set(runs).size, JOBS, 'no job lost');
  const processes = readdirSync(records).length;
  assert.ok(processes >= 2, `the jobs ran on ${processes} processes`);
  for (const pid of d.seenPids) {
    if (!settled.instances.some((i) => i.pid === pid)) assert.equal(isAlive(pid), false, `pid ${pid} exited`);
  }

  for (const line of d.output().split('\n')) if (line.includes(': autoscale ')) t.diagnostic(line);

  // gmsup status says the same in text.
  const text = d.cli('status', d.file);
  assert.match(text.stdout, /^burst: autoscale min 1 \/ current 1 \/ max 8 \(target wait 2 s, cooldown 3 s\)/m);
  assert.match(text.stdout, /^ {2}last decision \S+ ago: \d -> 1 \(idle: at most/m);
});

test('gmsup scale pins an autoscaled worker, `auto` resumes, a reload that lowers max clamps the count', async (t) => {
  const worker = (sizing: string) => `
server: { listen: 127.0.0.1:0 }
workers:
  grow:
    module: ${fixture('echo.mjs')}
    ${sizing}
  fixed:
    module: ${fixture('echo.mjs')}
`;
  // A cooldown of an hour: nothing the autoscaler does on its own interferes with the runtime calls.
  const d = await startDaemon(t, worker('autoscale: { min: 1, max: 3, cooldown: 1h, max_load_per_core: false }'));
  const pin = d.cli('scale', 'grow', '3', d.file);
  assert.equal(pin.status, 0, pin.stderr);
  assert.equal(pin.stdout, 'gmsup: grow 1 -> 3 instances (pinned: autoscaling paused until `gmsup scale grow auto`)\n');
  await waitAllRegistered(d);
  assert.match(d.cli('status', d.file).stdout, /^ {2}PINNED at 3 by gmsup scale \(`gmsup scale grow auto` resumes\)$/m);
  const s = await d.status();
  assert.equal(s.programs.find((p) => p.name === 'grow')?.autoscale?.pinned, true);

  const resume = d.cli('scale', 'grow', 'auto', d.file);
  assert.equal(resume.stdout, 'gmsup: grow 3 -> 3 instances (autoscaling resumed)\n');
  const fixed = d.cli('scale', 'fixed', 'auto', d.file);
  assert.equal(fixed.status, 64);
  assert.match(fixed.stderr, /fixed has a fixed count \(no autoscale block\): give a number/);

  // Lower max to 2: a live update, the count follows at once (a drain), nothing restarts.
  writeConfig(d.file, worker('autoscale: { min: 1, max: 2, cooldown: 1h, max_load_per_core: false }'));
  const reload = d.cli('reload', d.file);
  assert.equal(reload.status, 0, reload.stderr);
  assert.match(reload.stdout, /grow.*autoscale 1\.\.3 -> 1\.\.2/);
  await waitAllRegistered(d);
  const after = await waitFor(
    async () => {
      const s = await d.status();
      return s.instances.filter((i) => i.name === 'grow').length === 2 ? s : null;
    },
    { timeoutMs: 15_000, what: 'the third instance drained away' },
  );
  assert.equal(after.programs.find((p) => p.name === 'grow')?.desired, 2);
  assert.deepEqual(
    after.instances.filter((i) => i.name === 'grow').map((i) => i.restarts),
    [0, 0],
  );
});
