// Server-list failover of GearmanClient on real servers: a refused server is skipped, a server that
// dies with jobs pending fails the jobs without a unique and resubmits those with one elsewhere.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GearmanClient } from '../../../src/client/index.js';
import { GmsupError } from '../../../src/shared/errors.js';
import { freePort } from '../../helpers/gearmand.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startRawWorker } from './raw-worker.js';
import { targets, type RunningServer } from './targets.js';

for (const target of targets) {
  describe(`failover on ${target.name}`, { skip: target.skip }, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    });
    const start = async (): Promise<RunningServer> => {
      const s = await target.start();
      cleanups.push(() => s.stop());
      return s;
    };
    const track = <T extends { close(): Promise<unknown> }>(x: T): T => {
      cleanups.push(() => x.close());
      return x;
    };

    test('a refusing first server is skipped for the next one', async () => {
      const dead = `127.0.0.1:${await freePort()}`;
      const live = await start();
      track(await startRawWorker(live.address, ['fo_echo'], (job, r) => r.complete(job.payload)));
      const c = track(new GearmanClient({ servers: [dead, live.address] }));
      assert.equal((await c.submit('fo_echo', 'hi')).toString(), 'hi');
      assert.equal(c.connectedTo, live.address);
    });

    test('no server reachable: SERVER_UNREACHABLE naming every server', async () => {
      const a = `127.0.0.1:${await freePort()}`;
      const b = `127.0.0.1:${await freePort()}`;
      const c = track(new GearmanClient({ servers: [a, b] }));
      await assert.rejects(
        c.submit('x', 'y'),
        (e) =>
          e instanceof GmsupError && e.code === 'SERVER_UNREACHABLE' && e.message.includes(a) && e.message.includes(b),
      );
      await assert.rejects(
        c.submitBackground('x', 'y'),
        (e) => e instanceof GmsupError && e.code === 'SERVER_UNREACHABLE',
      );
    });

    test('server dies with jobs pending: no unique -> error; unique -> resubmitted to the next server', async () => {
      const first = await start();
      const second = await start();
      // first server: a worker that takes jobs and never answers
      const stuck = track(await startRawWorker(first.address, ['fo_job'], () => new Promise<void>(() => undefined)));
      track(await startRawWorker(second.address, ['fo_job'], (job, r) => r.complete(`second:${job.payload}`)));
      // ordered: both jobs go to the first server (balanced would spread the one without a unique)
      const c = track(new GearmanClient({ servers: [first.address, second.address], selection: 'ordered' }));
      // settle handlers attached now: the rejection may arrive while we await stop()
      const plain = c.submit('fo_job', 'plain').then(
        () => undefined,
        (e: unknown) => e,
      );
      const named = c.submit('fo_job', 'named', { unique: 'fo-u1' }).then(
        (r) => r,
        (e: unknown) => e,
      );
      await waitFor(() => stuck.jobs.length >= 1, { what: 'first server to hand out a job' });
      await first.stop();
      const err = await plain;
      assert.ok(
        err instanceof GmsupError && err.code === 'SERVER_UNREACHABLE' && /lost/.test(err.message),
        String(err),
      );
      assert.equal(String(await named), 'second:named');
      assert.equal(c.connectedTo, second.address);
      // later submissions go to the second server
      assert.equal((await c.submit('fo_job', 'again')).toString(), 'second:again');
    });
  });
}
