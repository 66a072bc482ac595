// Conformance checks 37-41: NOOP wake-ups, maxqueue, SUBMIT_JOB_EPOCH; with gmsup's fixes for due epoch
// jobs (sleeping workers are woken) and for future epoch jobs starving the low queue.

import assert from 'node:assert/strict';
import { waitFor } from '../helpers/wait-for.js';
import { expectError, expectNext, expectPacket, fields, submit, type Check } from './harness.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const wakeupChecks: Check[] = [
  {
    id: '37',
    title: 'a sleeping worker gets exactly one NOOP for two submissions',
    async run(ctx) {
      const w = await ctx.open();
      w.req(1, 'nf');
      w.req(4);
      assert.deepEqual(await w.barrier(), []);
      const c = await ctx.open();
      await submit(c, 18, 'nf', '', '1');
      await submit(c, 18, 'nf', '', '2');
      assert.deepEqual(
        (await w.barrier()).map((p) => p.type),
        [6],
      );
    },
  },
  {
    id: '38',
    title: 'a worker that never sent PRE_SLEEP gets no NOOP',
    async run(ctx) {
      const w = await ctx.open();
      w.req(1, 'nf');
      assert.deepEqual(await w.barrier(), []);
      const c = await ctx.open();
      await submit(c, 18, 'nf', '', '1');
      assert.deepEqual(await w.barrier(), []);
    },
  },
  {
    id: '39',
    title: 'PRE_SLEEP while a runnable job is queued gets NOOP at once',
    async run(ctx) {
      const c = await ctx.open();
      await submit(c, 18, 'nf', '', '1');
      const w = await ctx.open();
      w.req(1, 'nf');
      w.req(4);
      await expectNext(w, 6, '');
    },
  },
  {
    id: '40',
    title: 'maxqueue 2 with one queued job: one more accepted, the next refused with QUEUE_ERROR',
    async run(ctx) {
      const c = await ctx.open();
      await submit(c, 18, 'mq', '', '1');
      c.send('maxqueue mq 2\r\n');
      assert.equal(await c.readLine(), 'OK\r\n');
      await submit(c, 18, 'mq', '', '2');
      c.req(18, 'mq', '', '3');
      await expectError(c, 'QUEUE_ERROR', 'Job queue is full');
    },
  },
  {
    id: '41',
    title: 'SUBMIT_JOB_EPOCH runs only when due (gmsup also wakes the sleeping worker then)',
    async run(ctx) {
      const c = await ctx.open();
      const sleeper = await ctx.open();
      sleeper.req(1, 'ep');
      sleeper.req(4);
      assert.deepEqual(await sleeper.barrier(), []);
      c.req(36, 'ep', '', String(nowSeconds() + 2), 'fut');
      const p = await c.readPacket();
      assert.equal(p.type, 8);
      const h = p.payload.toString('latin1');
      const w = await ctx.open();
      w.req(1, 'ep');
      w.req(9);
      await expectNext(w, 10, '');
      if (ctx.gearmand) {
        // gearmand never tells sleepers; only polling finds the job once due.
        await waitFor(
          async () => {
            w.req(9);
            const r = await w.readPacket();
            return r.type === 11 ? r : false;
          },
          { timeoutMs: 5000, intervalMs: 200, what: 'epoch job assigned' },
        ).then((r) => expectPacket(r, 11, `${h}\0ep\0fut`));
        return;
      }
      const woken = await sleeper.readPacket(5000);
      expectPacket(woken, 6, '');
      sleeper.req(9);
      await expectNext(sleeper, 11, `${h}\0ep\0fut`);
    },
  },
  {
    id: '3.9-starve',
    title: 'a future epoch job does not starve a runnable low job (gearmand 1.1.20 answers NO_JOB)',
    async run(ctx) {
      const c = await ctx.open();
      c.req(36, 'sf', '', String(nowSeconds() + 60), 'later');
      assert.equal((await c.readPacket()).type, 8);
      const low = await submit(c, 34, 'sf', '', 'low');
      const w = await ctx.open();
      w.req(1, 'sf');
      w.req(9);
      const p = await w.readPacket();
      if (ctx.gearmand) expectPacket(p, 10, '');
      else assert.deepEqual(fields(p), [low, 'sf', 'low']);
    },
  },
];
