// Conformance checks 23-29: WORK_* forwarding to attached clients, exceptions, unknown handles, and
// gmsup's leniency for the repeated WORK_FAIL that Perl workers send after WORK_EXCEPTION.

import assert from 'node:assert/strict';
import type { RawConn } from '../helpers/raw-gearman.js';
import { created, expectError, expectNext, nul, submit, type Check, type Ctx } from './harness.js';

interface Running {
  a: RawConn;
  b: RawConn;
  bg: RawConn;
  w: RawConn;
  h: string;
}

/**
 * Two foreground clients (A with the exceptions option if asked) and a background submitter on one job,
 * held by worker W.
 */
async function runningJob(ctx: Ctx, aExceptions = false): Promise<Running> {
  const a = await ctx.open();
  const b = await ctx.open();
  const bg = await ctx.open();
  if (aExceptions) {
    a.req(26, 'exceptions');
    await expectNext(a, 27, 'exceptions');
  }
  const h = await submit(a, 7, 'rf', 'R1', 'payload');
  assert.equal(await submit(b, 7, 'rf', 'R1', 'payload'), h);
  assert.equal(await submit(bg, 18, 'rf', 'R1', 'payload'), h);
  const w = await ctx.open();
  w.req(1, 'rf');
  w.req(9);
  await expectNext(w, 11, `${h}\0rf\0payload`);
  return { a, b, bg, w, h };
}

export const resultChecks: Check[] = [
  {
    id: '23-25',
    title: 'WORK_STATUS/DATA/WARNING/COMPLETE reach every foreground client unchanged; background gets nothing',
    async run(ctx) {
      const { a, b, bg, w, h } = await runningJob(ctx);
      w.req(12, h, '1', '2');
      for (const c of [a, b]) await expectNext(c, 12, nul(h, '1', '2'));
      const q = await ctx.open();
      q.req(15, h);
      await expectNext(q, 20, nul(h, '1', '1', '1', '2'));
      w.req(28, h, 'dd');
      w.req(29, h, 'ww');
      for (const c of [a, b]) {
        await expectNext(c, 28, `${h}\0dd`);
        await expectNext(c, 29, `${h}\0ww`);
      }
      w.req(13, h, '');
      for (const c of [a, b]) {
        const p = await c.readPacket();
        assert.equal(
          p.bytes.subarray(0, 12).toString('hex'),
          `005245530000000d${(h.length + 1).toString(16).padStart(8, '0')}`,
        );
        assert.equal(p.payload.toString('latin1'), `${h}\0`);
      }
      assert.deepEqual(await bg.barrier(), [], 'the background submitter receives nothing');
      q.req(15, h);
      await expectNext(q, 20, nul(h, '0', '0', '0', '0'));
    },
  },
  {
    id: '26',
    title: 'WORK_FAIL h reaches clients as exactly h',
    async run(ctx) {
      const { a, b, w, h } = await runningJob(ctx);
      w.req(14, h);
      for (const c of [a, b]) await expectNext(c, 14, h);
    },
  },
  {
    id: '27',
    title: 'WORK_EXCEPTION: as-is with the exceptions option, else WORK_FAIL (gearmand adds a NUL; gmsup does not)',
    async run(ctx) {
      const { a, b, w, h } = await runningJob(ctx, true);
      w.req(25, h, 'boom');
      await expectNext(a, 25, `${h}\0boom`);
      await expectNext(b, 14, ctx.gearmand ? `${h}\0` : h);
    },
  },
  {
    id: '3.7-repeat',
    title: 'WORK_FAIL after WORK_EXCEPTION from the same worker: gearmand ERROR, gmsup ignores it',
    async run(ctx) {
      const { a, w, h } = await runningJob(ctx);
      w.req(25, h, 'boom');
      w.req(14, h);
      await expectNext(a, 14, ctx.gearmand ? `${h}\0` : h);
      if (ctx.gearmand) await expectError(w, 'JOB_NOT_FOUND', 'Job given in work result not found');
      assert.deepEqual(await w.barrier(), [], 'nothing else for the worker');
    },
  },
  {
    id: '28',
    title: 'unknown handles draw the three JOB_NOT_FOUND texts; the connection stays usable',
    async run(ctx) {
      const w = await ctx.open();
      w.req(13, 'H:zz:1', 'r');
      w.req(28, 'H:zz:1', 'd');
      w.req(25, 'H:zz:1', 'e');
      await expectError(w, 'JOB_NOT_FOUND', 'Job given in work result not found');
      await expectError(w, 'JOB_NOT_FOUND', 'Job does not exist on server');
      await expectError(w, 'JOB_NOT_FOUND', 'An exception was received for a job that does not exist');
      w.req(16, 'ok');
      await expectNext(w, 17, 'ok');
    },
  },
  {
    id: '29',
    title: 'WORK_COMPLETE from a connection that does not hold the job -> JOB_NOT_FOUND; the holder still finishes',
    async run(ctx) {
      const { a, w, h } = await runningJob(ctx);
      const other = await ctx.open();
      other.req(1, 'rf');
      other.req(13, h, 'theft');
      await expectError(other, 'JOB_NOT_FOUND', 'Job given in work result not found');
      w.req(13, h, 'mine');
      await expectNext(a, 13, `${h}\0mine`);
    },
  },
  {
    id: '22b',
    title: 'a coalesced foreground client joining a running job gets the later results',
    async run(ctx) {
      const { a, w, h } = await runningJob(ctx);
      const late = await ctx.open();
      late.req(7, 'rf', 'R1', 'other');
      assert.equal(await created(late), h);
      w.req(13, h, 'res');
      await expectNext(a, 13, `${h}\0res`);
      await expectNext(late, 13, `${h}\0res`);
    },
  },
];
