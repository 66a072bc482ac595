// Keeps the server benchmark from rotting: builds the libgearman load generator and runs a 200-job round
// (foreground echo, background submit + drain) and a 1 s timed round with in-process workers against
// `gmsup server` and, as a check on the tool, gearmand.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLoadgen, canBuildLoadgen, runLoadgen, startWorkers } from '../../../bench/lib/loadgen-build.js';
import { GMSUP, gearmand, startTarget, waitForWorkers } from '../../../bench/lib/server-targets.js';
import { skipUnless } from '../../helpers/external.js';

const skip =
  skipUnless('gearmand') ||
  (canBuildLoadgen() ? false : 'needs gcc and libgearman headers; install with: apt-get install -y gcc libgearman-dev');
const JOBS = 200;

for (const spec of [GMSUP, gearmand([])]) {
  test(`loadgen: ${JOBS}-job round against ${spec.name}`, { skip, timeout: 60_000 }, async (t) => {
    const loadgen = buildLoadgen();
    t.after(() => loadgen.remove());
    const server = await startTarget(spec);
    t.after(() => server.stop());
    const port = server.port;

    const pool = startWorkers(loadgen.binPath, { port, fn: 'smoke_echo', threads: 4, maxSeconds: 30 });
    t.after(async () => {
      await pool.stop().catch(() => undefined);
    });
    await waitForWorkers(port, 'smoke_echo', 4);
    const fg = await runLoadgen(loadgen.binPath, 'fg', {
      port,
      fn: 'smoke_echo',
      threads: 16,
      jobs: JOBS,
      sizeBytes: 100,
      maxSeconds: 20,
    });
    assert.equal(fg.errors, 0);
    assert.equal(fg.jobs, JOBS);
    assert.ok(fg.p99_ms !== undefined && fg.p99_ms > 0 && fg.max_ms! >= fg.p99_ms);
    const workers = await pool.stop();
    assert.equal(workers.jobs, JOBS, 'the echo workers saw every job exactly once');

    const bg = await runLoadgen(loadgen.binPath, 'bg', {
      port,
      fn: 'smoke_bg',
      threads: 4,
      jobs: JOBS,
      sizeBytes: 100,
      batch: 50,
      maxSeconds: 20,
    });
    assert.deepEqual([bg.jobs, bg.errors], [JOBS, 0]);
    const drain = await runLoadgen(loadgen.binPath, 'work', {
      port,
      fn: 'smoke_bg',
      threads: 4,
      jobs: JOBS,
      maxSeconds: 20,
    });
    assert.equal(drain.jobs, JOBS);
    assert.equal(drain.timed_out, false);

    // The foreground scenario's round: timed (jobs 0), echo workers in the clients' process.
    const timed = await runLoadgen(loadgen.binPath, 'fg', {
      port,
      fn: 'smoke_timed',
      threads: 4,
      workers: 2,
      jobs: 0,
      sizeBytes: 100,
      maxSeconds: 1,
    });
    assert.equal(timed.errors, 0);
    assert.ok(timed.jobs > 0 && timed.seconds >= 1 && timed.seconds < 10, JSON.stringify(timed));
    assert.equal(timed.timed_out, false);
  });
}
