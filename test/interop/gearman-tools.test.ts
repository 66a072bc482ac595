// Interop with libgearman's command-line tools: `gearman` as client (normal, -b, -I, -L, -u) and as a
// `-w` worker, and `gearadmin`, against gearmand 1.1.20 and the embedded server alike. gmsup's own
// client drives the `gearman -w` worker too.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GearmanClient, adminCommand, adminStatus, adminPriorityStatus } from '../../src/client/index.js';
import { itemAt } from '../helpers/defined.js';
import { skipUnless } from '../helpers/external.js';
import { waitFor } from '../helpers/wait-for.js';
import { startRawWorker, type RawWorker } from '../integration/client/raw-worker.js';
import { targets, type RunningServer } from '../integration/client/targets.js';
import { hostPortArgs, runProgram, startProgram, waitForWorkers, type LongProgram } from './programs.js';

const tools = skipUnless('gearmanCli', 'gearadmin');

for (const target of targets) {
  describe(`gearman CLI and gearadmin on ${target.name}`, { skip: target.skip || tools }, () => {
    let server: RunningServer;
    let wc: LongProgram;
    let raw: RawWorker;
    let client: GearmanClient;
    const gearman = (args: string[], input?: string) =>
      runProgram('gearman', [...hostPortArgs(server.port), ...args], { input });
    const gearadmin = (...args: string[]) => runProgram('gearadmin', [...hostPortArgs(server.port), ...args]);
    before(async () => {
      server = await target.start();
      wc = startProgram('gearman', [...hostPortArgs(server.port), '-w', '-f', 'wc', '--', 'wc', '-l']);
      raw = await startRawWorker(server.address, ['t_rev', 't_fail', 't_exc'], (job, r) => {
        if (job.fn === 't_fail') return r.fail();
        if (job.fn === 't_exc') return r.exception('worker exploded');
        r.complete(Buffer.from([...job.payload].reverse()));
      });
      client = new GearmanClient({ servers: [server.address] });
      await waitForWorkers(server.address, 'wc');
    });
    after(async () => {
      await client?.close();
      await raw?.close();
      await wc?.stop();
      await server?.stop();
    });

    test('gearman client -> gearman -w worker (wc -l), data on stdin and as an argument', async () => {
      const [a, b] = await Promise.all([gearman(['-f', 'wc'], 'one\ntwo\nthree\n'), gearman(['-f', 'wc', 'x\ny\n'])]);
      assert.equal(a.stdout.trim(), '3', a.stderr);
      assert.equal(b.stdout.trim(), '2', b.stderr);
    });

    test('gmsup client -> gearman -w worker', async () => {
      const results = await Promise.all([
        client.submit('wc', 'a\nb\n'),
        client.submit('wc', '1\n2\n3\n4\n', { priority: 'high' }),
      ]);
      assert.deepEqual(
        results.map((r) => r.toString().trim()),
        ['2', '4'],
      );
    });

    test('gearman client -> raw worker: payload bytes, default UUID unique, -u unique, 32 KiB payload', async () => {
      const before = raw.jobs.length;
      const plain = await gearman(['-f', 't_rev', 'abc']);
      assert.equal(plain.stdout.trim(), 'cba');
      const withU = await gearman(['-u', 'my-unique-1', '-f', 't_rev', 'xyz']);
      assert.equal(withU.stdout.trim(), 'zyx');
      const big = `${'q'.repeat(32 * 1024 - 1)}E`;
      const bigR = await gearman(['-f', 't_rev'], big);
      assert.equal(bigR.stdout.slice(0, 2), 'Eq');
      const jobs = raw.jobs.slice(before);
      assert.match(itemAt(jobs, 0, 'jobs').unique, /^[0-9a-f-]{36}$/);
      assert.equal(itemAt(jobs, 1, 'jobs').unique, 'my-unique-1');
      assert.equal(itemAt(jobs, 2, 'jobs').payload.length, 32 * 1024);
    });

    test('gearman -b / -I / -L queue with the right priority; -u coalesces; -v prints the handle', async () => {
      const fn = `t_queue_${target.name}`;
      const r1 = await gearman(['-b', '-v', '-I', '-f', fn, 'h1']);
      assert.match(r1.stdout, /Task created: \S+/);
      await gearman(['-b', '-f', fn, 'n1']);
      await gearman(['-b', '-L', '-f', fn, 'l1']);
      await gearman(['-b', '-u', 'same-u', '-f', fn, 'n2']);
      await gearman(['-b', '-u', 'same-u', '-f', fn, 'n3']);
      const pr = (await adminPriorityStatus(server.address)).find((p) => p.name === fn);
      assert.deepEqual(pr, { name: fn, high: 1, normal: 2, low: 1, availableWorkers: 0 });
      const uniques = await adminCommand(server.address, 'show unique jobs');
      assert.equal(uniques.split('\n').filter((l) => l === 'same-u').length, 1);
    });

    test('gearman client sees a failed job: "Job failed", exit 1', async () => {
      const r = await gearman(['-f', 't_fail', 'x']);
      assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Job failed\n' });
    });

    test('gearman client (no exceptions option) sees a worker exception as a failure, without hanging', {
      skip:
        target.name === 'gearmand'
          ? 'gearmand 1.1.20 sends WORK_FAIL "h\\0" here and the gearman CLI hangs (pinned in conformance)'
          : false,
    }, async () => {
      const r = await gearman(['-f', 't_exc', 'x']);
      assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Job failed\n' });
    });

    test('gearadmin --status, --workers, --server-version, --getpid', async () => {
      const st = await gearadmin('--status');
      assert.match(st.stdout, /^wc\t\d+\t\d+\t1$/m);
      assert.match(st.stdout, /^\.$/m);
      const wk = await gearadmin('--workers');
      assert.match(wk.stdout, /^\d+ 127\.0\.0\.1 \S+ : wc$/m);
      const v = await gearadmin('--server-version');
      assert.match(v.stdout, /^\d+\.\d+/);
      const pid = await gearadmin('--getpid');
      assert.equal(pid.stdout.trim(), String(server.pid));
    });

    test('gearadmin --create-function / --drop-function', async () => {
      const fn = 't_created';
      assert.equal((await gearadmin('--create-function', fn)).stdout.trim(), 'OK');
      assert.deepEqual(
        (await adminStatus(server.address)).find((s) => s.name === fn),
        { name: fn, total: 0, running: 0, availableWorkers: 0 },
      );
      assert.equal((await gearadmin('--drop-function', fn)).stdout.trim(), 'OK');
      assert.equal(
        (await adminStatus(server.address)).find((s) => s.name === fn),
        undefined,
      );
      const again = await gearadmin('--drop-function', fn);
      assert.match(again.stderr, /Error: function not found/);
    });

    test('gearadmin --show-jobs and --cancel-job', async () => {
      const handle = await client.submitBackground('t_cancel', 'c');
      const shown = await gearadmin('--show-jobs');
      assert.match(shown.stdout, new RegExp(`^${handle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\t0\\t0\\t1$`, 'm'));
      assert.equal((await gearadmin('--cancel-job', handle)).stdout.trim(), 'OK');
      const unknown = await gearadmin('--cancel-job', 'H:nowhere:999999');
      assert.match(unknown.stderr, /Error: UNKNOWN_JOB/);
      // the cancelled job is never handed to a worker
      const w = await startRawWorker(server.address, ['t_cancel'], (_j, r) => r.complete(''));
      try {
        const probe = await client.submitBackground('t_cancel', 'after');
        await waitFor(() => w.jobs.some((j) => j.handle === probe), { what: 'the probe job to run' });
        assert.ok(!w.jobs.some((j) => j.handle === handle));
      } finally {
        await w.close();
      }
    });
  });
}
