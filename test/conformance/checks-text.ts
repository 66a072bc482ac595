// Conformance checks 42-50: the text admin protocol's output formats and error strings, with gmsup's
// fixes (`cancel job` leaves the counts at once, `drop function` keeps queued jobs, `create function X\n`
// keeps the whole name, `shutdown` as an extension).

import assert from 'node:assert/strict';
import {
  expectNext,
  fields,
  handleNumber,
  statusLines,
  submit,
  waitConnectionCount,
  type Check,
  type Ctx,
} from './harness.js';

async function taTb(ctx: Ctx) {
  const c = await ctx.open();
  await submit(c, 18, 'ta', '', '1');
  await submit(c, 18, 'ta', '', '2');
  const w = await ctx.open();
  w.req(22, 'wid');
  w.req(1, 'ta');
  w.req(1, 'tb');
  w.req(9);
  assert.equal(fields(await w.readPacket())[1], 'ta');
  return { c, w, admin: await ctx.open() };
}

const cmd = async (ctx: Ctx, line: string): Promise<string> => {
  const c = await ctx.open();
  c.send(line);
  return c.readLine();
};

export const textChecks: Check[] = [
  {
    id: '42-43',
    title: 'status and prioritystatus lines',
    async run(ctx) {
      const { admin } = await taTb(ctx);
      const status = await statusLines(admin);
      assert.ok(status.includes('ta\t2\t1\t1') && status.includes('tb\t0\t0\t1'), JSON.stringify(status));
      const prio = await admin.list('prioritystatus');
      const lines = prio.split('\n');
      assert.ok(lines.includes('ta\t0\t1\t0\t1') && lines.includes('tb\t0\t0\t0\t1'), JSON.stringify(prio));
      assert.ok(prio.endsWith('\n.\n'));
    },
  },
  {
    id: '44',
    title: 'workers lists every connection, abilities newest first',
    async run(ctx) {
      const { admin } = await taTb(ctx);
      const out = await admin.list('workers');
      assert.match(out, /^\d+ 127\.0\.0\.1 wid : tb ta$/m);
      assert.match(out, /^\d+ 127\.0\.0\.1 - :$/m);
      assert.ok(out.endsWith('\n.\n'));
    },
  },
  {
    id: '45',
    title: 'version, getpid, verbose',
    async run(ctx) {
      const c = await ctx.open();
      c.send('version\ngetpid\nverbose\n');
      assert.match(await c.readLine(), /^OK 1\.1\.20\S*\n$/);
      assert.equal(await c.readLine(), `OK ${ctx.pid}\n`);
      assert.match(await c.readLine(), /^OK (FATAL|ALERT|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG)\n$/);
    },
  },
  {
    id: '46',
    title: 'show jobs and show unique jobs',
    async run(ctx) {
      const c = await ctx.open();
      const h1 = await submit(c, 18, 'sj', 'u1', 'x');
      const h2 = await submit(c, 18, 'sj', '', 'y');
      const jobs = await c.list('show jobs');
      assert.deepEqual(
        jobs
          .split('\n')
          .filter((l) => l !== '')
          .sort(),
        [`${h1}\t0\t0\t1`, `${h2}\t0\t0\t1`, '.'].sort(),
      );
      assert.ok(jobs.endsWith('.\n'));
      const uniques = await c.list('show unique jobs');
      assert.deepEqual(uniques.split('\n').slice(0, -2).sort(), ['', 'u1']);
      assert.equal(handleNumber(h2), 2);
    },
  },
  {
    id: '47',
    title: 'cancel job: OK / ERR UNKNOWN_JOB; clients get WORK_FAIL; gmsup removes it from the counts at once',
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 7, 'cj', '', 'x');
      const admin = await ctx.open();
      admin.send(`cancel job ${h}\r\n`);
      assert.equal(await admin.readLine(), 'OK\r\n');
      await expectNext(c, 14, h);
      admin.send('cancel job H:zz:9\r\n');
      assert.equal(await admin.readLine(), 'ERR UNKNOWN_JOB\r\n');
      assert.ok((await statusLines(admin)).includes(ctx.gearmand ? 'cj\t1\t0\t0' : 'cj\t0\t0\t0'));
    },
  },
  {
    id: '48',
    title: 'create function and drop function',
    async run(ctx) {
      const admin = await ctx.open();
      admin.send('create function newf\r\n');
      assert.equal(await admin.readLine(), 'OK\r\n');
      assert.ok((await statusLines(admin)).includes('newf\t0\t0\t0'));
      admin.send('drop function newf\r\n');
      assert.equal(await admin.readLine(), 'OK\r\n');
      admin.send('drop function newf\r\n');
      assert.equal(await admin.readLine(), 'ERR function not found\r\n');
      const w = await ctx.open();
      w.req(1, 'busy');
      await w.barrier();
      admin.send('drop function busy\r\n');
      assert.equal(await admin.readLine(), 'ERR there are still connected workers or executing clients\r\n');
      admin.send('create function abc\n');
      assert.equal(await admin.readLine(), 'OK\r\n');
      // gearmand 1.1.20 drops the last character when the line ends in a bare \n.
      assert.ok((await statusLines(admin)).includes(ctx.gearmand ? 'ab\t0\t0\t0' : 'abc\t0\t0\t0'));
    },
  },
  {
    id: '4.1-drop-queued',
    title: 'drop function with queued jobs: gearmand orphans them, gmsup refuses',
    async run(ctx) {
      const c = await ctx.open();
      await submit(c, 18, 'dq', '', 'x');
      c.send('drop function dq\r\n');
      assert.equal(await c.readLine(), ctx.gearmand ? 'OK\r\n' : 'ERR there are still queued jobs\r\n');
    },
  },
  {
    id: '49',
    title: 'error replies: unknown command, shutdown, incomplete maxqueue, bad show',
    async run(ctx) {
      assert.equal(await cmd(ctx, 'bogus\n'), 'ERR UNKNOWN_COMMAND Unknown+server+commandbogus\r\n');
      assert.equal(
        await cmd(ctx, 'maxqueue\n'),
        'ERR INVALID_ARGUMENTS An+incomplete+set+of+arguments+was+sent+to+this+command+maxqueue\r\n',
      );
      assert.equal(await cmd(ctx, 'show foo\n'), 'ERR UNKNOWN_SHOW_ARGUMENTS\r\n');
      assert.equal(await cmd(ctx, '\n'), 'ERR UNKNOWN_COMMAND Unknown+server+command\r\n');
      assert.equal(await cmd(ctx, 'cancel foo bar\n'), 'ERR UNKNOWN_ERROR\r\n');
      assert.equal(
        await cmd(ctx, 'create\n'),
        'ERR INVALID_ARGUMENTS An+incomplete+set+of+arguments+was+sent+to+this+command+create\r\n',
      );
      const many = await ctx.open();
      many.send('status a b c d e\n');
      assert.equal(await many.waitClosed(), true);
      assert.equal(many.buffered.length, 0);
    },
  },
  {
    id: '49-shutdown',
    title: 'shutdown graceful: gearmand does not know it; gmsup answers OK and closes',
    async run(ctx) {
      const admin = await ctx.open();
      const other = await ctx.open();
      await waitConnectionCount(admin, 2);
      admin.send('shutdown graceful\n');
      if (ctx.gearmand) {
        assert.equal(await admin.readLine(), 'ERR UNKNOWN_COMMAND Unknown+server+commandshutdown\r\n');
        return;
      }
      assert.equal(await admin.readLine(), 'OK\r\n');
      assert.equal(await other.waitClosed(), true);
    },
  },
  {
    id: '50',
    title: 'case-insensitive, CR stripped, runs of spaces, pipelined commands',
    async run(ctx) {
      const c = await ctx.open();
      const h = await submit(c, 18, 'pj', '', 'x');
      c.send('VERSION\r\nshow   jobs\n');
      assert.match(await c.readLine(), /^OK 1\.1\.20\S*\n$/);
      assert.equal(await c.readList(), `${h}\t0\t0\t1\n.\n`);
    },
  },
];
