// Back-pressure (issue 11 defect 9): a peer that sends requests but never reads the replies is no longer
// read once its unsent replies (plus the payloads of the jobs it waits on) pass readPauseBytes, so its
// requests wait in the kernel and it blocks in its own writes; other connections keep being served. Only
// results piling up past maxOutputBytes while it is paused get it dropped.

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { encodeReq } from '../../../src/protocol/codec.js';
import { PacketType } from '../../../src/protocol/packet-types.js';
import { startJobServer } from '../../../src/server/index.js';
import { GearmanClient } from '../../../src/client/index.js';
import { WorkerRuntime } from '../../../src/worker/runtime.js';
import { waitFor } from '../../helpers/wait-for.js';

const MiB = 1024 * 1024;

async function connectNonReader(port: number): Promise<{ socket: net.Socket; closed: () => boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.pause(); // never read: every reply stays in the server's (and the kernel's) buffers
  return { socket, closed: () => closed };
}

/** Writes `packet` up to `count` times, waiting for 'drain' (at most `stallMs` each); returns how many went out. */
async function writeUntilBlocked(socket: net.Socket, packet: Buffer, count: number, stallMs: number): Promise<number> {
  for (let i = 0; i < count; i++) {
    if (socket.destroyed) return i;
    if (!socket.write(packet)) {
      const drained = await new Promise<boolean>((r) => {
        const timer = setTimeout(() => r(false), stallMs);
        socket.once('drain', () => {
          clearTimeout(timer);
          r(true);
        });
      });
      if (!drained) return i + 1;
    }
  }
  return count;
}

test('a connection that never reads stops being read: its requests wait in the kernel', async (t) => {
  const lines: string[] = [];
  const server = await startJobServer({
    host: '127.0.0.1',
    port: 0,
    readPauseBytes: 2 * MiB,
    log: (l) => lines.push(l),
  });
  t.after(() => server.close());
  const hog = await connectNonReader(server.port);
  t.after(() => hog.socket.destroy());
  const echo = encodeReq(PacketType.ECHO_REQ, Buffer.alloc(512 * 1024, 1));
  // Up to 400 x 512 KiB = 200 MiB offered: without back-pressure the server would read it all and buffer the
  // echoes. With it, the server stops reading after about readPauseBytes plus the kernel's socket buffers,
  // and the hog's writes block (no 'drain' for 2 s).
  const sent = await writeUntilBlocked(hog.socket, echo, 400, 2000);
  assert.ok(sent < 200, `the hog got ${sent} x 512 KiB through: the server kept reading it`);
  assert.equal(hog.closed(), false, 'paused, not dropped');
  assert.deepEqual(lines, []);
  const client = new GearmanClient({ servers: [server.address] });
  t.after(() => client.close());
  assert.equal((await client.submitBackground('f', 'x')).length > 0, true, 'other clients are still served');
});

test('a paused connection is read again once it reads its replies', async (t) => {
  const server = await startJobServer({ host: '127.0.0.1', port: 0, readPauseBytes: 1 * MiB });
  t.after(() => server.close());
  const peer = await connectNonReader(server.port);
  t.after(() => peer.socket.destroy());
  const echo = encodeReq(PacketType.ECHO_REQ, Buffer.alloc(256 * 1024, 2));
  const sent = await writeUntilBlocked(peer.socket, echo, 400, 1000);
  assert.ok(sent < 400, 'blocked while not reading');
  // Now read everything: every echo sent so far comes back, and the rest of the 400 goes through.
  let received = 0;
  peer.socket.on('data', (d: Buffer) => {
    received += d.length;
  });
  peer.socket.resume();
  const rest = await writeUntilBlocked(peer.socket, echo, 400 - sent, 10_000);
  assert.equal(rest, 400 - sent, 'writes flow again once the replies are read');
  await waitFor(() => received === 400 * echo.length, { timeoutMs: 20_000, what: 'all 400 echoes back' });
});

test('a paused connection whose job results pass maxOutputBytes is dropped', async (t) => {
  const lines: string[] = [];
  const server = await startJobServer({
    host: '127.0.0.1',
    port: 0,
    maxOutputBytes: 4 * MiB,
    log: (l) => lines.push(l),
  });
  t.after(() => server.close());
  const big = Buffer.alloc(1 * MiB, 3);
  const worker = new WorkerRuntime({
    function: 'bigresult',
    servers: [server.address],
    handler: () => big,
    concurrency: 4,
    timeoutMs: null,
    maxJobs: null,
    stopTimeoutMs: 2000,
    clientId: 'test:bigresult',
  });
  worker.start();
  t.after(() => worker.force());
  const hog = await connectNonReader(server.port);
  t.after(() => hog.socket.destroy());
  // 64 small foreground jobs whose 1 MiB results pile up unread: more than the kernel buffers plus 4 MiB.
  for (let i = 0; i < 64; i++) hog.socket.write(encodeReq(PacketType.SUBMIT_JOB, 'bigresult', `u${i}`, 'x'));
  // The hog reads nothing, so it cannot see the close itself: the server's log says so.
  await waitFor(() => lines.some((l) => /unread by the peer; closing it/.test(l)), {
    timeoutMs: 20_000,
    what: 'the server to drop the non-reading peer',
  });
  const client = new GearmanClient({ servers: [server.address] });
  t.after(() => client.close());
  assert.equal((await client.submit('bigresult', 'y')).length, big.length, 'other clients are still served');
});
