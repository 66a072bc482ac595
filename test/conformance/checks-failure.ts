// Conformance checks 30-36: worker loss, retries (-j), CANT_DO, abandoned jobs, CAN_DO_TIMEOUT; with
// gmsup's fix for abandoned queued foreground jobs (dropped at once).

import assert from 'node:assert/strict';
import { waitFor } from '../helpers/wait-for.js';
import type { RawPacket } from '../helpers/raw-gearman.js';
import {
  connectionCount,
  created,
  expectError,
  expectNext,
  expectPacket,
  fields,
  nul,
  submit,
  waitConnectionCount,
  waitStatusLine,
  type Check,
} from './harness.js';

export const failureChecks: Check[] = [
  {
    id: '30',
    title: 'worker holding a job disconnects: re-queued, sleeper woken, client told nothing, status reset',
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 7, 'df', '', 'job');
      const w1 = await ctx.open();
      w1.req(1, 'df');
      w1.req(9);
      await expectNext(w1, 11, `${h}\0df\0job`);
      w1.req(12, h, '1', '2');
      await expectNext(c, 12, nul(h, '1', '2'));
      const w2 = await ctx.open();
      w2.req(1, 'df');
      w2.req(4);
      assert.deepEqual(await w2.barrier(), [], 'no NOOP while the only job runs');
      const admin = await ctx.open();
      await waitStatusLine(admin, 'df\t1\t1\t2');
      w1.close();
      await expectNext(w2, 6, '');
      await waitStatusLine(admin, 'df\t1\t0\t1');
      assert.deepEqual(await c.barrier(), [], 'the client receives nothing');
      admin.req(15, h);
      await expectNext(admin, 20, nul(h, '1', '0', '0', '0'));
      w2.req(9);
      assert.equal(fields(await w2.readPacket())[0], h);
    },
  },
  {
    id: '31',
    title: 'a re-queued job goes to the tail of its priority queue',
    async run(ctx) {
      const c = await ctx.open();
      const ha = await submit(c, 18, 'tf', '', 'A');
      const hb = await submit(c, 18, 'tf', '', 'B');
      const w1 = await ctx.open();
      w1.req(1, 'tf');
      w1.req(9);
      assert.equal(fields(await w1.readPacket())[0], ha);
      w1.close();
      const admin = await ctx.open();
      await waitStatusLine(admin, 'tf\t2\t0\t0');
      const w2 = await ctx.open();
      w2.req(1, 'tf');
      w2.req(9);
      assert.equal(fields(await w2.readPacket())[0], hb);
      w2.req(9);
      assert.equal(fields(await w2.readPacket())[0], ha);
    },
  },
  {
    id: '32',
    title: 'with 2 retries, the second worker loss fails the job to the client and forgets it',
    options: { jobRetries: 2 },
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 7, 'jf', '', 'x');
      const admin = await ctx.open();
      for (let i = 0; i < 2; i++) {
        const w = await ctx.open();
        w.req(1, 'jf');
        w.req(9);
        assert.equal(fields(await w.readPacket())[0], h);
        w.close();
        if (i === 0) await waitStatusLine(admin, 'jf\t1\t0\t0');
      }
      await expectNext(c, 14, h);
      assert.equal(await admin.list('show jobs'), '.\n');
    },
  },
  {
    id: '33',
    title: 'CANT_DO while holding a job re-queues it; the late WORK_COMPLETE is JOB_NOT_FOUND',
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 18, 'cf', '', 'x');
      const w = await ctx.open();
      w.req(1, 'cf');
      w.req(9);
      assert.equal(fields(await w.readPacket())[0], h);
      w.req(2, 'cf');
      const admin = await ctx.open();
      await waitStatusLine(admin, 'cf\t1\t0\t0');
      w.req(13, h, 'late');
      await expectError(w, 'JOB_NOT_FOUND', 'Job given in work result not found');
    },
  },
  {
    id: '34',
    title: 'client leaves while its job is queued: gearmand drops it at the next GRAB, gmsup at once',
    async run(ctx) {
      const c = await ctx.open();
      await submit(c, 7, 'af', '', 'x');
      c.close();
      const admin = await ctx.open();
      if (ctx.gearmand) {
        // Give gearmand time to see the close: its TOTAL stays 1 (the job is only marked ignored).
        await waitFor(async () => (await admin.list('show jobs')).includes('\t0\t1\t0\n'), {
          what: 'job marked ignored',
        });
        await waitStatusLine(admin, 'af\t1\t0\t0');
      } else {
        await waitStatusLine(admin, 'af\t0\t0\t0');
      }
      const w = await ctx.open();
      w.req(1, 'af');
      w.req(9);
      await expectNext(w, 10, '');
      await waitStatusLine(admin, 'af\t0\t0\t1');
    },
  },
  {
    id: '35',
    title: "client leaves while its job runs: the worker's WORK_DATA/COMPLETE draw no ERROR",
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 7, 'lf', '', 'x');
      const w = await ctx.open();
      w.req(1, 'lf');
      w.req(9);
      assert.equal(fields(await w.readPacket())[0], h);
      const admin = await ctx.open();
      const before = await connectionCount(admin);
      c.close();
      await waitConnectionCount(admin, before - 1);
      w.req(28, h, 'dd');
      w.req(13, h, 'done');
      assert.deepEqual(await w.barrier(), []);
      await waitStatusLine(admin, 'lf\t0\t0\t1');
    },
  },
  {
    id: '36',
    title: 'CAN_DO_TIMEOUT expiry re-queues the job, wakes a sleeper; the late result is JOB_NOT_FOUND',
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 7, 'tf', '', 'x');
      const w1 = await ctx.open();
      w1.req(23, 'tf', '1000');
      w1.req(9);
      assert.equal(fields(await w1.readPacket())[0], h);
      const w2 = await ctx.open();
      w2.req(1, 'tf');
      w2.req(4);
      await expectNext(w2, 6, ''); // after about 1 s
      // gearmand (threaded) can send the NOOP a moment before the job is back in the queue: its GRAB then
      // gets NO_JOB, and a worker sleeps again (a NOOP followed by NO_JOB is allowed). Bounded: 3 wake-ups.
      let assigned: RawPacket | null = null;
      for (let attempt = 0; attempt < 3 && assigned === null; attempt++) {
        w2.req(9);
        const p = await w2.readPacket();
        if (p.type === 11) assigned = p;
        else {
          assert.equal(p.type, 10, `JOB_ASSIGN or NO_JOB after the wake-up, got type ${p.type}`);
          w2.req(4);
          await expectNext(w2, 6, '');
        }
      }
      assert.ok(assigned, 'the timed-out job reaches the sleeping worker');
      assert.equal(fields(assigned)[0], h);
      w1.req(13, h, 'late');
      await expectError(w1, 'JOB_NOT_FOUND', 'Job given in work result not found');
      assert.deepEqual(await c.barrier(), [], 'the client is told nothing');
      w2.req(13, h, 'ok');
      await expectNext(c, 13, `${h}\0ok`);
    },
  },
  {
    id: '3.6-bg',
    title: 'a foreground client coalesced onto a background job leaves: gmsup keeps the job',
    async run(ctx) {
      const bg = await ctx.open();
      const h = await submit(bg, 18, 'kf', 'K1', 'x');
      const fg = await ctx.open();
      fg.req(7, 'kf', 'K1', 'x');
      assert.equal(await created(fg), h);
      const admin = await ctx.open();
      const before = await connectionCount(admin);
      fg.close();
      await waitConnectionCount(admin, before - 1);
      const w = await ctx.open();
      w.req(1, 'kf');
      w.req(9);
      const p = await w.readPacket();
      // gearmand 1.1.20 discards the background job here (lost work); gmsup hands it out.
      if (ctx.gearmand) expectPacket(p, 10, '');
      else expectPacket(p, 11, `${h}\0kf\0x`);
    },
  },
];
