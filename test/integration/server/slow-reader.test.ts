// A peer that sends requests but never reads the replies is dropped once its unsent backlog passes the
// limit; the server's memory stays bounded and other connections keep being served.

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { encodeReq } from '../../../src/protocol/codec.js';
import { PacketType } from '../../../src/protocol/packet-types.js';
import { startJobServer } from '../../../src/server/index.js';
import { GearmanClient } from '../../../src/client/index.js';
import { waitFor } from '../../helpers/wait-for.js';

test('a connection that never reads is closed when its backlog passes maxOutputBytes', async (t) => {
  const lines: string[] = [];
  const server = await startJobServer({
    host: '127.0.0.1',
    port: 0,
    maxPacketBytes: 1024 * 1024,
    maxOutputBytes: 4 * 1024 * 1024,
    log: (l) => lines.push(l),
  });
  t.after(() => server.close());
  const hog = net.connect({ host: '127.0.0.1', port: server.port });
  let closed = false;
  hog.on('close', () => {
    closed = true;
  });
  hog.on('error', () => {});
  await new Promise<void>((r) => hog.once('connect', () => r()));
  hog.pause(); // never read: every ECHO_RES stays in the server's (and the kernel's) buffers
  const echo = encodeReq(PacketType.ECHO_REQ, Buffer.alloc(512 * 1024, 1));
  // Bounded: 200 x 512 KiB = 100 MiB offered at most, far beyond kernel buffers plus the 4 MiB limit.
  for (let i = 0; i < 200 && !closed; i++) {
    if (!hog.write(echo))
      await new Promise<void>((r) => {
        hog.once('drain', () => r());
        hog.once('close', () => r());
      });
  }
  await waitFor(() => closed, { timeoutMs: 20_000, what: 'the server to drop the non-reading peer' });
  assert.ok(
    lines.some((l) => /unread by the peer/.test(l)),
    lines.join('\n'),
  );
  const client = new GearmanClient({ servers: [server.address] });
  t.after(() => client.close());
  assert.equal((await client.submitBackground('f', 'x')).length > 0, true, 'other clients are still served');
});
