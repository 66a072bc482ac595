// GearmanClient against real job servers (gearmand 1.1.20 and the embedded server) with a raw-protocol
// worker: results, callbacks, failures, exceptions, coalescing, priorities, background + status, and
// thousands of concurrent submissions multiplexed over one connection.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GearmanClient, JobFailedError, adminCommand, adminWorkers } from '../../../src/client/index.js';
import { GmsupError } from '../../../src/shared/errors.js';
import { itemAt } from '../../helpers/defined.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startRawWorker, type RawWorker } from './raw-worker.js';
import { targets, type RunningServer } from './targets.js';

let seq = 0;
const fnName = (base: string) => `${base}_${process.pid}_${++seq}`;

for (const target of targets) {
  describe(`GearmanClient on ${target.name}`, { skip: target.skip }, () => {
    let server: RunningServer;
    const cleanups: Array<() => Promise<unknown>> = [];
    before(async () => {
      server = await target.start();
    });
    after(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
      await server?.stop();
    });
    const client = () => {
      const c = new GearmanClient({ servers: [server.address] });
      cleanups.push(() => c.close());
      return c;
    };
    const worker = async (fns: string[], h: Parameters<typeof startRawWorker>[2]): Promise<RawWorker> => {
      const w = await startRawWorker(server.address, fns, h);
      cleanups.push(() => w.close());
      return w;
    };

    test('foreground result is byte-exact, NULs included', async () => {
      const fn = fnName('rev');
      await worker([fn], (job, r) => r.complete(Buffer.from([...job.payload].reverse())));
      const c = client();
      assert.deepEqual(await c.submit(fn, Buffer.from('a\0b\0c')), Buffer.from('c\0b\0a'));
      assert.equal((await c.submit(fn, 'hello')).toString(), 'olleh');
    });

    test('status, data and warning callbacks arrive before the result', async () => {
      const fn = fnName('cb');
      await worker([fn], (_job, r) => {
        r.status(1, 3);
        r.data('d1');
        r.warning('w1');
        r.status(3, 3);
        r.complete('done');
      });
      const seen: string[] = [];
      const result = await client().submit(fn, 'x', {
        onStatus: (n, d) => seen.push(`status ${n}/${d}`),
        onData: (b) => seen.push(`data ${b}`),
        onWarning: (b) => seen.push(`warning ${b}`),
      });
      assert.equal(result.toString(), 'done');
      assert.deepEqual(seen, ['status 1/3', 'data d1', 'warning w1', 'status 3/3']);
    });

    test('WORK_FAIL and WORK_EXCEPTION reject with JOB_FAILED; the text only with exceptions on', async () => {
      const fn = fnName('bad');
      await worker([fn], (job, r) => (job.payload.toString() === 'fail' ? r.fail() : r.exception('boom: disk full')));
      const c = client();
      await assert.rejects(
        c.submit(fn, 'fail'),
        (e) => e instanceof JobFailedError && e.code === 'JOB_FAILED' && e.exception === undefined,
      );
      await assert.rejects(
        c.submit(fn, 'exc', { exceptions: true }),
        (e) =>
          e instanceof JobFailedError &&
          e.exception?.toString() === 'boom: disk full' &&
          /boom: disk full/.test(e.message),
      );
      // A second client without the option: the server turns the exception into WORK_FAIL.
      await assert.rejects(client().submit(fn, 'exc'), (e) => e instanceof JobFailedError && e.exception === undefined);
    });

    test('2000 concurrent submissions share one connection and each gets its own result', async () => {
      const fn = fnName('many');
      await worker([fn], (job, r) => r.complete(`r${job.payload}`));
      await worker([fn], (job, r) => r.complete(`r${job.payload}`));
      const idle = async () => (await adminWorkers(server.address)).filter((l) => l.functions.length === 0).length;
      const before = await idle(); // other tests' clients plus the asking admin connection
      const c = client();
      const n = 2000;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => c.submit(fn, String(i))));
      for (const [i, r] of results.entries()) assert.equal(r.toString(), `r${i}`);
      // exactly one more connection without abilities: this client's single multiplexed connection
      await waitFor(async () => (await idle()) === before + 1, { what: 'one client connection' });
    });

    test('same unique coalesces: the worker runs once, every waiter gets the result', async () => {
      const fn = fnName('co');
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const w = await worker([fn], async (job, r) => {
        await gate;
        r.status(1, 2);
        r.complete(`once:${job.payload}`);
      });
      const a = client();
      const b = client();
      const statusSeen: number[] = [];
      const p = [
        a.submit(fn, 'first', { unique: 'U1', onStatus: (n) => statusSeen.push(n) }),
        a.submit(fn, 'second', { unique: 'U1', onStatus: (n) => statusSeen.push(n) }),
        b.submit(fn, 'third', { unique: 'U1', onStatus: (n) => statusSeen.push(n) }),
      ];
      await waitFor(() => w.jobs.length === 1, { what: 'worker to get the job' });
      // all three must be attached before the worker reports: replies come in request order per
      // connection, so a GET_STATUS answered on each client proves its SUBMITs were processed
      const { handle } = itemAt(w.jobs, 0, 'jobs');
      for (const c of [a, b]) assert.equal((await c.getStatus(handle)).running, true);
      release();
      const results = await Promise.all(p);
      assert.deepEqual(results.map(String), ['once:first', 'once:first', 'once:first']);
      assert.equal(w.jobs.length, 1);
      assert.deepEqual(statusSeen, [1, 1, 1]);
    });

    test('background jobs return a handle; getStatus follows queued -> running -> unknown', async () => {
      const fn = fnName('bg');
      const c = client();
      const handle = await c.submitBackground(fn, 'payload');
      assert.match(handle, /.+:.+/);
      assert.deepEqual(await c.getStatus(handle), { known: true, running: false, numerator: 0, denominator: 0 });
      let finish: () => void = () => undefined;
      const w = await worker([fn], (_job, r) => {
        r.status(2, 5);
        return new Promise<void>(
          (res) =>
            (finish = () => {
              r.complete('ok');
              res();
            }),
        );
      });
      await waitFor(async () => (await c.getStatus(handle)).numerator === 2, { what: 'status 2/5' });
      assert.deepEqual(await c.getStatus(handle), { known: true, running: true, numerator: 2, denominator: 5 });
      finish();
      await waitFor(async () => !(await c.getStatus(handle)).known, { what: 'job to finish' });
      assert.equal(itemAt(w.jobs, 0, 'jobs').payload.toString(), 'payload');
    });

    test('priorities: queued high, normal, low are handed out high first', async () => {
      const fn = fnName('prio');
      const c = client();
      await c.submitBackground(fn, 'low', { priority: 'low' });
      await c.submitBackground(fn, 'normal');
      await c.submitBackground(fn, 'high', { priority: 'high' });
      const fg = c.submit(fn, 'fg-high', { priority: 'high' });
      // replies come in request order: once this GET_STATUS is answered, the foreground submit is queued
      assert.equal((await c.getStatus('H:none:1')).known, false);
      const w = await worker([fn], (job, r) => r.complete(job.payload));
      assert.equal((await fg).toString(), 'fg-high');
      await waitFor(() => w.jobs.length === 4, { what: 'four jobs' });
      assert.deepEqual(
        w.jobs.map((j) => j.payload.toString()),
        ['high', 'fg-high', 'normal', 'low'],
      );
    });

    test('timeoutMs rejects with TIMEOUT; a late result is ignored', async () => {
      const fn = fnName('slow');
      let finish: () => void = () => undefined;
      await worker(
        [fn],
        (_job, r) =>
          new Promise<void>(
            (res) =>
              (finish = () => {
                r.complete('late');
                res();
              }),
          ),
      );
      const c = client();
      await assert.rejects(
        c.submit(fn, 'x', { timeoutMs: 200 }),
        (e) => e instanceof GmsupError && e.code === 'TIMEOUT',
      );
      finish();
      const fn2 = fnName('after');
      await worker([fn2], (_job, r) => r.complete('fine'));
      assert.equal((await c.submit(fn2, 'y')).toString(), 'fine');
    });

    test('ERROR replies (queue full, unique too long) reject only their own submission, in order', async () => {
      const fn = fnName('full');
      const c = client();
      const first = await c.submitBackground(fn, 'a'); // maxqueue only applies to an existing function
      assert.equal(await adminCommand(server.address, `maxqueue ${fn} 1`), 'OK\n');
      const other = fnName('free');
      const results = await Promise.allSettled([
        c.submitBackground(fn, 'b'),
        c.submitBackground(other, 'c', { unique: 'u'.repeat(65) }),
        c.submitBackground(other, 'd'),
      ]);
      const reason = (r: PromiseSettledResult<string>) => (r.status === 'rejected' ? r.reason : undefined);
      assert.ok(
        reason(results[0]) instanceof GmsupError &&
          reason(results[0]).code === 'SERVER_ERROR' &&
          /QUEUE_ERROR/.test(reason(results[0]).message),
        String(reason(results[0])),
      );
      assert.ok(
        reason(results[1]) instanceof GmsupError && /ARGUMENT_TOO_LARGE/.test(reason(results[1]).message),
        String(reason(results[1])),
      );
      assert.equal(results[2].status, 'fulfilled');
      // still in step: both accepted handles are known to the server
      assert.equal((await c.getStatus(first)).known, true);
      if (results[2].status === 'fulfilled') assert.equal((await c.getStatus(results[2].value)).known, true);
    });

    test('close() rejects pending jobs and later calls', async () => {
      const c = client();
      const p = c.submit(fnName('nobody'), 'x');
      await waitFor(() => c.connectedTo !== undefined);
      await c.close();
      await assert.rejects(p, (e) => e instanceof GmsupError && e.code === 'SERVER_UNREACHABLE');
      await assert.rejects(c.submit('f', 'x'), (e) => e instanceof GmsupError);
    });
  });
}
