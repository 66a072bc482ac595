// Decoding from ONE reused input buffer (a socket `onread` buffer) stays exact under any chunking,
// including packets larger than the buffer that span many reads: the decoder keeps no view of a pushed chunk.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketDecoder, encodeRes } from '../../../src/protocol/codec.js';
import { PacketType } from '../../../src/protocol/packet-types.js';

function stream(): { bytes: Buffer; payloads: string[] } {
  const payloads = ['', 'x', 'hello\0world', 'y'.repeat(5000), 'z'.repeat(70_000), 'end'];
  const parts = payloads.map((p, i) => encodeRes(PacketType.JOB_ASSIGN_UNIQ, `H:host:${i}`, 'fn', `u${i}`, p));
  return { bytes: Buffer.concat(parts), payloads };
}

for (const chunkBytes of [1, 7, 12, 100, 4096, 65_536]) {
  test(`decoding through one reused ${chunkBytes}-byte buffer gives every packet intact`, () => {
    const { bytes, payloads } = stream();
    const d = new PacketDecoder({ allowText: false });
    const reused = Buffer.alloc(chunkBytes);
    const got: Array<{ handle: string; payload: string }> = [];
    for (let i = 0; i < bytes.length; i += chunkBytes) {
      const n = bytes.copy(reused, 0, i, i + chunkBytes);
      for (const f of d.push(reused.subarray(0, n))) {
        assert.ok(f.kind === 'packet', `expected a packet, got ${f.kind}`);
        const [handle, , , payload] = f.packet.args;
        assert.ok(handle && payload, 'JOB_ASSIGN_UNIQ carries 4 arguments');
        got.push({ handle: handle.toString('latin1'), payload: payload.toString('latin1') });
      }
      reused.fill(0xee); // what the next read does to the buffer
    }
    assert.deepEqual(
      got.map((g) => g.payload),
      payloads,
    );
    assert.deepEqual(
      got.map((g) => g.handle),
      payloads.map((_, i) => `H:host:${i}`),
    );
    assert.equal(d.bufferedBytes, 0);
  });
}
