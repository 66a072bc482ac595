// Byte-exact round trips for every packet type, incremental decoding under any chunking, and the
// ProtocolError cases (bad magic, unknown type, oversize, too few arguments, truncation).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PacketDecoder,
  encodePacket,
  encodePacketParts,
  encodeReq,
  type Frame,
  type Packet,
} from '../../../src/protocol/codec.js';
import { PacketType, argCount, MAX_PACKET_TYPE } from '../../../src/protocol/packet-types.js';
import type { ProtocolError } from '../../../src/protocol/protocol-error.js';
import { itemAt } from '../../helpers/defined.js';

/** The packet of a frame, failing the test when the frame is missing or not a packet. */
function packetOf(f: Frame | undefined, what = 'frame'): Packet {
  assert.ok(f?.kind === 'packet', `${what}: expected a packet, got ${JSON.stringify(f)}`);
  return f.packet;
}

/** The error of a frame, failing the test when the frame is missing or not an error. */
function errorOf(f: Frame | undefined, what = 'frame'): ProtocolError {
  assert.ok(f?.kind === 'error', `${what}: expected an error, got ${JSON.stringify(f)}`);
  return f.error;
}

function argsFor(type: number): Buffer[] {
  const n = argCount(type);
  return Array.from({ length: n }, (_, i) =>
    i === n - 1 ? Buffer.from(`last\0with\0nuls-${type}`) : Buffer.from(`a${i}`),
  );
}

function decodeAll(bytes: Buffer, chunkSize: number): Frame[] {
  const d = new PacketDecoder();
  const frames: Frame[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) frames.push(...d.push(bytes.subarray(i, i + chunkSize)));
  return frames;
}

test('ECHO_REQ encodes to the documented bytes', () => {
  const bytes = encodePacket('RES', PacketType.ECHO_RES, ['hello']);
  assert.equal(bytes.toString('hex'), `005245530000001100000005${Buffer.from('hello').toString('hex')}`);
  assert.equal(encodePacket('RES', PacketType.NO_JOB).toString('hex'), '005245530000000a00000000');
});

test('every packet type round-trips byte-exact, in both magics', () => {
  for (let type = 1; type <= MAX_PACKET_TYPE; type++) {
    for (const magic of ['REQ', 'RES'] as const) {
      const args = argsFor(type);
      const bytes = encodePacket(magic, type, args);
      const frames = decodeAll(bytes, bytes.length);
      assert.equal(frames.length, 1, `type ${type}`);
      const packet = packetOf(frames[0], `type ${type}`);
      assert.equal(packet.type, type);
      assert.equal(packet.magic, magic);
      assert.deepEqual(
        packet.args.map((a) => a.toString('hex')),
        args.map((a) => a.toString('hex')),
      );
      assert.deepEqual(encodePacket(magic, type, packet.args), bytes);
    }
  }
});

test('any chunking yields the same frames, text and binary mixed', () => {
  const stream = Buffer.concat([
    encodeReq(PacketType.ECHO_REQ, 'a'),
    Buffer.from('version\r\n'),
    encodeReq(PacketType.SUBMIT_JOB, 'fn', 'u', Buffer.from([0, 1, 0, 2])),
    Buffer.from('status\n'),
    encodeReq(PacketType.PRE_SLEEP),
  ]);
  const whole = decodeAll(stream, stream.length);
  assert.equal(whole.length, 5);
  assert.deepEqual(whole[1], { kind: 'text', line: 'version' });
  for (const size of [1, 2, 3, 5, 7, 11, 13]) {
    const chunked = decodeAll(stream, size);
    assert.deepEqual(JSON.stringify(chunked), JSON.stringify(whole), `chunk size ${size}`);
  }
});

test('empty last argument and zero-argument packets', () => {
  const [f] = decodeAll(encodeReq(PacketType.WORK_COMPLETE, 'H:x:1', ''), 100);
  assert.deepEqual(packetOf(f).args.map(String), ['H:x:1', '']);
  const [g] = decodeAll(encodeReq(PacketType.GRAB_JOB_UNIQ), 100);
  assert.deepEqual(packetOf(g).args, []);
});

test('a large payload arriving in small chunks is assembled once', () => {
  const big = Buffer.alloc(4 * 1024 * 1024, 7);
  const bytes = encodeReq(PacketType.SUBMIT_JOB_BG, 'f', '', big);
  const frames = decodeAll(bytes, 64 * 1024);
  assert.equal(frames.length, 1);
  assert.ok(itemAt(packetOf(frames[0]).args, 2).equals(big));
});

test('bad magic, unknown types and oversize headers are fatal', () => {
  const cases: Array<[Buffer, string]> = [
    [Buffer.from('\0XYZ\0\0\0\x10\0\0\0\0', 'latin1'), 'BAD_MAGIC'],
    [encodePacket('REQ', 0), 'UNKNOWN_TYPE'],
    [encodePacket('REQ', 43), 'UNKNOWN_TYPE'],
  ];
  const huge = encodeReq(PacketType.ECHO_REQ);
  huge.writeUInt32BE(0xffffffff, 8);
  cases.push([huge, 'TOO_LARGE']);
  for (const [bytes, kind] of cases) {
    const d = new PacketDecoder({ maxPacketBytes: 1024 });
    const frames = d.push(bytes);
    assert.equal(frames.length, 1);
    const error = errorOf(frames[0], kind);
    assert.ok(error.kind === kind && error.fatal, kind);
    assert.deepEqual(d.push(encodeReq(PacketType.ECHO_REQ, 'x')), [], 'nothing after a fatal error');
  }
});

test('too few arguments is a non-fatal error naming the packet type', () => {
  const d = new PacketDecoder();
  const bad = encodePacket('REQ', PacketType.SUBMIT_JOB, ['only-one-field']);
  const frames = d.push(Buffer.concat([bad, encodeReq(PacketType.ECHO_REQ, 'ok')]));
  assert.equal(frames.length, 2);
  const [e, ok] = frames;
  const error = errorOf(e);
  assert.ok(!error.fatal && error.packetType === 'SUBMIT_JOB');
  assert.equal(packetOf(ok).type, PacketType.ECHO_REQ);
});

test('end() reports a truncated packet', () => {
  const d = new PacketDecoder();
  const bytes = encodeReq(PacketType.ECHO_REQ, 'hello');
  assert.deepEqual(d.push(bytes.subarray(0, 14)), []);
  const [f] = d.end();
  assert.equal(errorOf(f).kind, 'TRUNCATED');
});

test('overlong text lines are fatal', () => {
  const d = new PacketDecoder({ maxLineBytes: 16 });
  const frames = d.push(Buffer.from('x'.repeat(40)));
  assert.ok(frames[0]?.kind === 'error' && frames[0].error.kind === 'LINE_TOO_LONG');
});

test('ownsMostOf: only a large packet joined from several chunks may be kept without a copy', () => {
  const big = Buffer.alloc(64 * 1024, 0x61);
  const small = Buffer.from('tiny payload');
  const stream = Buffer.concat([
    encodeReq(PacketType.SUBMIT_JOB, 'f', '', big),
    encodeReq(PacketType.SUBMIT_JOB, 'f', '', small),
  ]);
  const d = new PacketDecoder();
  const frames = [...d.push(stream.subarray(0, 30_000)), ...d.push(stream.subarray(30_000))];
  assert.equal(frames.length, 2);
  const [a, b] = frames.map((f) => itemAt(packetOf(f).args, 2, 'SUBMIT_JOB args')) as [Buffer, Buffer];
  assert.ok(a.equals(big));
  assert.equal(d.ownsMostOf(a), true);
  assert.equal(d.ownsMostOf(b), false); // a 12-byte view would pin the 64 KiB join
  // A packet inside one socket chunk belongs to the caller's buffer, never kept as a view.
  const one = new PacketDecoder();
  const f = one.push(Buffer.concat([encodeReq(PacketType.SUBMIT_JOB, 'f', '', big)]));
  assert.ok(!one.ownsMostOf(itemAt(packetOf(f[0]).args, 2)));
});

test('a packet that spans pushes is owned: its payload memory was allocated once, for it alone', () => {
  const big = Buffer.alloc(100_000, 0x62);
  const bytes = Buffer.concat([encodeReq(PacketType.SUBMIT_JOB, 'f', 'u', big), encodeReq(PacketType.NOOP)]);
  const d = new PacketDecoder();
  const frames = [...d.push(bytes.subarray(0, 5)), ...d.push(bytes.subarray(5, 70_000))];
  assert.equal(frames.length, 0);
  assert.equal(d.bufferedBytes, 70_000);
  const [spanning, noop] = d.push(bytes.subarray(70_000));
  const p = packetOf(spanning);
  assert.equal(p.owned, true);
  assert.ok(itemAt(p.args, 2).equals(big));
  assert.equal(itemAt(p.args, 2).buffer.byteLength, bytes.length - 12 - 12, 'exactly the payload, no more');
  assert.equal(packetOf(noop).owned, undefined, 'a packet inside one push is a view of that push');
  assert.equal(d.bufferedBytes, 0);
});

test('encodePacketParts passes a large last argument on as its own chunk, uncopied', () => {
  const big = Buffer.alloc(20_000, 0x63);
  const parts = encodePacketParts('REQ', PacketType.SUBMIT_JOB, ['fn', 'u', big]);
  assert.equal(parts.length, 2);
  assert.equal(parts[1], big);
  const joined = Buffer.concat(parts);
  assert.deepEqual(joined, encodePacket('REQ', PacketType.SUBMIT_JOB, ['fn', 'u', big]));
  assert.equal(encodePacketParts('REQ', PacketType.SUBMIT_JOB, ['fn', 'u', 'small']).length, 1);
});
