// Conformance checks 1-7 (binary framing, mixed text/binary) plus gmsup's fixes for malformed packets
// and for a text command followed at once by EOF.

import assert from 'node:assert/strict';
import { packet, RES } from '../helpers/raw-gearman.js';
import { expectError, expectNext, expectPacket, type Check } from './harness.js';

export const framingChecks: Check[] = [
  {
    id: '1',
    title: 'ECHO_REQ "hello" is echoed byte for byte',
    async run(ctx) {
      const c = await ctx.open();
      c.req(16, 'hello');
      const p = await c.readPacket();
      assert.equal(p.bytes.toString('hex'), `005245530000001100000005${Buffer.from('hello').toString('hex')}`);
    },
  },
  {
    id: '2',
    title: 'empty ECHO_REQ gives an empty ECHO_RES',
    async run(ctx) {
      const c = await ctx.open();
      c.send(packet(16, []));
      const p = await c.readPacket();
      assert.equal(p.bytes.toString('hex'), '005245530000001100000000');
    },
  },
  {
    id: '3',
    title: '\\0RES magic gets INVALID_MAGIC; the connection stays usable',
    async run(ctx) {
      const c = await ctx.open();
      c.send(packet(16, ['x'], RES));
      await expectError(c, 'INVALID_MAGIC', 'Request magic expected');
      c.req(16, 'after');
      await expectNext(c, 17, 'after');
    },
  },
  {
    id: '4',
    title: 'bad magic, type 0 and type 43 close the connection without a reply',
    async run(ctx) {
      const bad = [packet(16, ['x'], Buffer.from('\0XYZ', 'latin1')), packet(0, []), packet(43, [])];
      for (const bytes of bad) {
        const c = await ctx.open();
        c.send(bytes);
        assert.equal(await c.waitClosed(), true, `closed after ${bytes.toString('hex')}`);
        assert.equal(c.buffered.length, 0, 'no reply');
      }
    },
  },
  {
    id: '5',
    title: 'server-only types and SUBMIT_JOB_SCHED get INVALID_COMMAND',
    async run(ctx) {
      const c = await ctx.open();
      for (const type of [5, 6, 8, 10, 17, 24, 27]) {
        c.send(packet(type, []));
        await expectError(c, 'INVALID_COMMAND', 'Command not expected');
      }
      c.req(35, 'f', 'u', '1', '2', '3', '4', '5', 'data');
      await expectError(c, 'INVALID_COMMAND', 'Command not expected');
      c.req(16, 'still');
      await expectNext(c, 17, 'still');
    },
  },
  {
    id: '6',
    title: 'OPTION_REQ exceptions is echoed; other options are refused',
    async run(ctx) {
      const c = await ctx.open();
      c.req(26, 'Exceptions');
      await expectNext(c, 27, 'Exceptions');
      c.req(26, 'foo');
      await expectError(c, 'UNKNOWN_OPTION', 'Server does not recognize given option');
    },
  },
  {
    id: '7',
    title: 'binary and text traffic on one connection are answered in order',
    async run(ctx) {
      const c = await ctx.open();
      c.send(Buffer.concat([packet(16, ['a']), Buffer.from('version\n'), packet(16, ['b'])]));
      await expectNext(c, 17, 'a');
      assert.match(await c.readLine(), /^OK 1\.1\.20\S*\n$/);
      await expectNext(c, 17, 'b');
    },
  },
  {
    id: '1.1-malformed',
    title: 'too few NULs: gearmand stalls, gmsup answers ERROR and stays usable',
    async run(ctx) {
      const c = await ctx.open();
      c.send(packet(11, [])); // empty JOB_ASSIGN: needs 3 fields
      if (ctx.gearmand) {
        await assert.rejects(c.readPacket(300), /timed out/, 'gearmand sends nothing');
        return;
      }
      const p = await c.readPacket();
      expectPacket(p, 19, p.payload.toString('latin1'));
      assert.match(p.payload.toString('latin1'), /^INVALID_PACKET\0/);
      c.req(37, 'f', 'u', 'reducer-only'); // 3-field SUBMIT_REDUCE_JOB
      assert.match((await c.readPacket()).payload.toString('latin1'), /^INVALID_PACKET\0/);
      c.req(16, 'ok');
      await expectNext(c, 17, 'ok');
    },
  },
  {
    id: '1.2-eof',
    title: 'text command plus immediate EOF: gearmand says nothing, gmsup answers then closes',
    async run(ctx) {
      const c = await ctx.open();
      c.socket.end('status\n');
      assert.equal(await c.waitClosed(), true);
      if (ctx.gearmand) {
        // gearmand drops the command only when command and EOF arrive in one read: timing decides.
        assert.ok(['', '.\n'].includes(c.buffered.toString('latin1')));
      } else {
        assert.equal(c.buffered.toString('latin1'), '.\n');
      }
    },
  },
];
