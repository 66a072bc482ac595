// Every connection of the embedded server reads into ONE shared buffer: packets arriving in interleaved
// pieces on several connections, and payloads forwarded after later reads overwrote that buffer, must come
// out byte-exact (each kept view is copied or owned before the next read).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { startJobServer } from '../../../src/server/index.js';
import { packet, RawConn } from '../../helpers/raw-gearman.js';

const patterned = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 251));

function fields(p: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < 3; i++) {
    const nul = p.indexOf(0, start);
    out.push(p.subarray(start, nul));
    start = nul + 1;
  }
  out.push(p.subarray(start));
  return out;
}

test('interleaved pieces from several connections, and forwarded payloads, arrive intact', async (t) => {
  const server = await startJobServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const worker = await RawConn.open(server.port);
  t.after(() => worker.socket.destroy());
  worker.req(T.CAN_DO, 'shared');
  const sizes = [10, 5000, 70_000, 300_000];
  const clients = await Promise.all(sizes.map(() => RawConn.open(server.port)));
  t.after(() => {
    for (const c of clients) c.socket.destroy();
  });
  // Each client's SUBMIT_JOB goes out in 997-byte pieces, round-robin across the clients, so every read
  // of the server ends inside some other connection's packet.
  const submits = sizes.map((n, i) => packet(T.SUBMIT_JOB, ['shared', `u${i}`, patterned(n, i)]));
  for (let off = 0; submits.some((s) => off < s.length); off += 997) {
    submits.forEach((s, i) => {
      if (off < s.length) clients[i]!.send(s.subarray(off, off + 997));
    });
    await new Promise((r) => setImmediate(r));
  }
  const handles: string[] = [];
  for (const c of clients) {
    const created = await c.readPacket();
    assert.equal(created.type, T.JOB_CREATED);
    handles.push(created.payload.toString('latin1'));
  }
  // The worker takes all four jobs, then completes them in ONE write: the server forwards each result
  // while the later ones are still being read into the shared buffer.
  const completes: Buffer[] = [];
  for (let i = 0; i < sizes.length; i++) {
    worker.req(T.GRAB_JOB_UNIQ);
    const assign = await worker.readPacket();
    assert.equal(assign.type, T.JOB_ASSIGN_UNIQ);
    const [handle, fn, unique, data] = fields(assign.payload);
    assert.equal(fn!.toString(), 'shared');
    const idx = Number(unique!.toString().slice(1));
    assert.ok(data!.equals(patterned(sizes[idx]!, idx)), `payload of job ${idx} intact`);
    completes.push(packet(T.WORK_COMPLETE, [handle!, patterned(sizes[idx]!, idx + 100)]));
  }
  worker.send(Buffer.concat(completes));
  for (let i = 0; i < sizes.length; i++) {
    const done = await clients[i]!.readPacket();
    assert.equal(done.type, T.WORK_COMPLETE);
    const nul = done.payload.indexOf(0);
    assert.equal(done.payload.subarray(0, nul).toString('latin1'), handles[i]);
    assert.ok(done.payload.subarray(nul + 1).equals(patterned(sizes[i]!, i + 100)), `result of job ${i} intact`);
  }
  // A large ECHO_REQ followed at once by another packet: the echo must not be overwritten by the next read.
  const echo = patterned(50_000, 7);
  clients[0]!.send(Buffer.concat([packet(T.ECHO_REQ, [echo]), packet(T.ECHO_REQ, [patterned(20_000, 9)])]));
  const first = await clients[0]!.readPacket();
  assert.ok(first.type === T.ECHO_RES && first.payload.equals(echo));
  const second = await clients[0]!.readPacket();
  assert.ok(second.type === T.ECHO_RES && second.payload.equals(patterned(20_000, 9)));
});
