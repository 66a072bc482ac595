// Conformance checks 8-22: submission, assignment, handles, priority order, coalescing and status.

import assert from 'node:assert/strict';
import {
  created,
  expectError,
  expectNext,
  expectPacket,
  fields,
  handleNumber,
  nul,
  submit,
  type Check,
} from './harness.js';

export const jobChecks: Check[] = [
  {
    id: '8-10',
    title: 'fresh handles H(1), H(2); GRAB without abilities -> NO_JOB; CAN_DO + GRAB_JOB -> JOB_ASSIGN',
    async run(ctx) {
      const c = await ctx.open();
      c.req(18, 'fa', '', 'x');
      const h1 = await created(c, 1);
      c.req(18, 'fb', '', 'y');
      await created(c, 2);
      const w = await ctx.open();
      w.req(9);
      assert.equal((await w.readPacket()).bytes.toString('hex'), '005245530000000a00000000');
      w.req(1, 'fa');
      w.req(9);
      await expectNext(w, 11, `${h1}\0fa\0x`);
    },
  },
  {
    id: '11-12',
    title: 'GRAB_JOB_UNIQ carries the unique (empty too); GRAB_JOB_ALL on a plain job -> JOB_ASSIGN_UNIQ',
    async run(ctx) {
      const c = await ctx.open();
      const h1 = await submit(c, 18, 'fa', 'uq', 'z');
      const h2 = await submit(c, 18, 'fa', '', 'data');
      const h3 = await submit(c, 18, 'fa', 'u3', 'd3');
      const w = await ctx.open();
      w.req(1, 'fa');
      w.req(30);
      await expectNext(w, 31, `${h1}\0fa\0uq\0z`);
      w.req(30);
      await expectNext(w, 31, `${h2}\0fa\0\0data`);
      w.req(39);
      await expectNext(w, 31, `${h3}\0fa\0u3\0d3`);
    },
  },
  {
    id: '13',
    title: 'SUBMIT_REDUCE_JOB + GRAB_JOB_ALL -> JOB_ASSIGN_ALL with the reducer',
    async run(ctx) {
      const c = await ctx.open();
      c.req(37, 'fa', 'ru', 'red', 'agg', 'dat');
      const h = await created(c);
      const w = await ctx.open();
      w.req(1, 'fa');
      w.req(39);
      await expectNext(w, 40, `${h}\0fa\0ru\0red\0dat`);
    },
  },
  {
    id: '14',
    title: 'payload and result bytes with NULs are delivered exactly',
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 7, 'fa', '', Buffer.from('a\0b\0', 'latin1'));
      const w = await ctx.open();
      w.req(1, 'fa');
      w.req(9);
      await expectNext(w, 11, `${h}\0fa\0a\0b\0`);
      w.req(13, h, Buffer.from('x\0y', 'latin1'));
      await expectNext(c, 13, `${h}\0x\0y`);
    },
  },
  {
    id: '15',
    title: 'priority order within a function, FIFO within a priority',
    async run(ctx) {
      const c = await ctx.open();
      const order: Array<[number, string]> = [
        [34, 'L1'],
        [18, 'N1'],
        [32, 'H1'],
        [34, 'L2'],
        [18, 'N2'],
        [32, 'H2'],
      ];
      for (const [type, data] of order) await submit(c, type, 'pf', '', data);
      const w = await ctx.open();
      w.req(1, 'pf');
      const got: string[] = [];
      for (let i = 0; i < 6; i++) {
        w.req(9);
        const p = await w.readPacket();
        assert.equal(p.type, 11);
        got.push(fields(p)[2] ?? '(missing)');
      }
      assert.deepEqual(got, ['H1', 'H2', 'N1', 'N2', 'L1', 'L2']);
    },
  },
  {
    id: '16',
    title: 'across functions the newest registration wins (1.1.20 order)',
    async run(ctx) {
      const c = await ctx.open();
      await submit(c, 32, 'f1', '', 'f1-high');
      await submit(c, 34, 'f2', '', 'f2-low');
      const w = await ctx.open();
      w.req(1, 'f1');
      w.req(1, 'f2');
      w.req(9);
      assert.equal(fields(await w.readPacket())[2], 'f2-low');
    },
  },
  {
    id: '17-19',
    title: 'coalescing onto one handle; GET_STATUS_UNIQUE and GET_STATUS while queued',
    async run(ctx) {
      const a = await ctx.open();
      const b = await ctx.open();
      const bg = await ctx.open();
      const h = await submit(a, 7, 'uf', 'U1', 'one');
      assert.equal(handleNumber(h), 1);
      assert.equal(await submit(b, 7, 'uf', 'U1', 'two'), h);
      assert.equal(await submit(bg, 18, 'uf', 'U1', 'three'), h);
      const q = await ctx.open();
      q.req(41, 'U1');
      await expectNext(q, 42, nul('U1', '1', '0', '0', '0', '2'));
      q.req(41, 'nope');
      await expectNext(q, 42, nul('nope', '0', '0', '0', '0', '0'));
      q.req(15, h);
      await expectNext(q, 20, nul(h, '1', '0', '0', '0'));
      q.req(15, 'H:zz:99');
      await expectNext(q, 20, nul('H:zz:99', '0', '0', '0', '0'));
    },
  },
  {
    id: '20-21',
    title: 'same unique in another function is a new job; unique "-" keys on the payload; empty never coalesces',
    async run(ctx) {
      const c = await ctx.open();
      const h1 = await submit(c, 18, 'u1', 'K', 'x');
      const h2 = await submit(c, 18, 'u2', 'K', 'x');
      assert.notEqual(h1, h2);
      const s1 = await submit(c, 18, 'u1', '-', 'same');
      assert.equal(await submit(c, 18, 'u1', '-', 'same'), s1);
      assert.notEqual(await submit(c, 18, 'u1', '-', 'diff'), s1);
      const e1 = await submit(c, 18, 'u1', '', 'e');
      assert.notEqual(await submit(c, 18, 'u1', '', 'e'), e1);
    },
  },
  {
    id: '22',
    title: '64-byte unique accepted (gmsup keeps all 64 bytes; gearmand truncates), 65 refused',
    async run(ctx) {
      const c = await ctx.open();
      const u64 = `${'u'.repeat(63)}Z`;
      const h = await submit(c, 18, 'uf', u64, 'd');
      c.req(18, 'uf', `${u64}x`, 'd');
      await expectError(c, 'ARGUMENT_TOO_LARGE', 'Unique value too large');
      const w = await ctx.open();
      w.req(1, 'uf');
      w.req(30);
      const p = await w.readPacket();
      // gearmand 1.1.20 keeps 63 bytes and adds a NUL; gmsup sends the unique intact.
      expectPacket(p, 31, ctx.gearmand ? `${h}\0uf\0${u64.slice(0, 63)}\0\0d` : `${h}\0uf\0${u64}\0d`);
    },
  },
];
