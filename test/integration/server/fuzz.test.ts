// Property test: random and mutated Gearman input (bit flips, truncation, wrong argument counts, huge
// sizes, unknown types, wrong magic, garbage) never makes the decoder throw, and never crashes the
// embedded server or stops it serving a healthy connection. Seeded: set FUZZ_SEED to replay a failure.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketDecoder } from '../../../src/protocol/codec.js';
import { startJobServer } from '../../../src/server/index.js';
import { packet, RawConn, REQ, RES } from '../../helpers/raw-gearman.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const DECODER_CASES = 20_000;
const SERVER_CONNECTIONS = 2_000;
const PARALLEL_CONNECTIONS = 16;

/** mulberry32: small, fast, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T; // int() < length
const bytes = (r: Rand, n: number) => Buffer.from(Array.from({ length: n }, () => int(r, 256)));

const NAMES = ['f', 'g', 'fz', ''];
const HANDLES = ['H:x:1', 'H:x:2', 'H:zz:9', '', 'x'.repeat(70)];

/** A packet that is well framed but random in type, arguments and content (sometimes a real handle). */
function randomPacket(r: Rand, handles: string[]): Buffer {
  const type = r() < 0.95 ? 1 + int(r, 42) : pick(r, [0, 43, 1000, 0xffffffff]);
  const argc = int(r, 7);
  const args: Array<string | Buffer> = [];
  for (let i = 0; i < argc; i++) {
    const roll = r();
    if (roll < 0.3) args.push(pick(r, NAMES));
    else if (roll < 0.5) args.push(handles.length > 0 && r() < 0.7 ? pick(r, handles) : pick(r, HANDLES));
    else if (roll < 0.6) args.push(String(int(r, 3000)));
    else args.push(bytes(r, int(r, 40)));
  }
  return packet(type, args, r() < 0.9 ? REQ : RES);
}

function randomText(r: Rand): Buffer {
  const words = [
    'status',
    'workers',
    'show',
    'jobs',
    'unique',
    'cancel',
    'job',
    'create',
    'drop',
    'function',
    'maxqueue',
    'version',
    'getpid',
    'verbose',
    'prioritystatus',
    'f',
    'H:x:1',
    '3',
    '-1',
    '',
  ];
  const n = int(r, 7);
  const line = Array.from({ length: n }, () => pick(r, words)).join(' '.repeat(1 + int(r, 2)));
  return Buffer.from(`${line}${r() < 0.5 ? '\r\n' : '\n'}`, 'latin1');
}

function mutate(r: Rand, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const kind = int(r, 8);
  if (kind === 0 && b.length > 0)
    for (let i = 0; i < 1 + int(r, 4); i++) {
      const at = int(r, b.length);
      b[at] = (b[at] ?? 0) ^ (1 << int(r, 8)); // bit flips
    }
  else if (kind === 1)
    b = b.subarray(0, int(r, b.length + 1)); // truncation
  else if (kind === 2 && b.length >= 12)
    b.writeUInt32BE(pick(r, [0xffffffff, 0x7fffffff, 2 ** 27 + 1, b.length * 3]), 8); // huge size
  else if (kind === 3 && b.length >= 12)
    b.writeUInt32BE(int(r, 2 ** 32), 4); // any type
  else if (kind === 4 && b.length >= 4)
    bytes(r, 4).copy(b, 0); // wrong magic
  else if (kind === 5)
    b = bytes(r, int(r, 64)); // garbage
  else if (kind === 6 && b.length > 12)
    b = Buffer.concat([b.subarray(0, 12 + int(r, b.length - 12)), bytes(r, int(r, 8))]);
  return b;
}

/** Splits a buffer into random chunks. */
function chunks(r: Rand, b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; pos < b.length; ) {
    const n = 1 + int(r, Math.max(1, b.length - pos));
    out.push(b.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

test(`decoder never throws on ${DECODER_CASES} random/mutated inputs (seed ${SEED})`, () => {
  const r = prng(SEED);
  for (let i = 0; i < DECODER_CASES; i++) {
    const parts: Buffer[] = [];
    for (let k = 0; k < 1 + int(r, 4); k++) parts.push(r() < 0.2 ? randomText(r) : randomPacket(r, []));
    const input = r() < 0.8 ? mutate(r, Buffer.concat(parts)) : Buffer.concat(parts);
    const decoder = new PacketDecoder({ maxPacketBytes: pick(r, [64, 1024, 1 << 20]), allowText: r() < 0.8 });
    try {
      for (const c of chunks(r, input)) {
        for (const f of decoder.push(c)) assert.ok(f.kind === 'packet' || f.kind === 'text' || f.kind === 'error');
      }
      decoder.end();
    } catch (err) {
      assert.fail(`decoder threw on case ${i} (FUZZ_SEED=${SEED}) input ${input.toString('hex')}: ${String(err)}`);
    }
  }
});

test(`server survives ${SERVER_CONNECTIONS} hostile connections and keeps serving (seed ${SEED})`, async (t) => {
  const internalErrors: string[] = [];
  const server = await startJobServer({
    port: 0,
    jobHandlePrefix: 'H:x',
    log: (line) => internalErrors.push(line),
    maxPacketBytes: 1 << 20,
  });
  t.after(() => server.close());
  const healthy = await RawConn.open(server.port);
  t.after(() => healthy.close());
  const r = prng(SEED ^ 0x5eed);
  const open: RawConn[] = [];

  const hostile = async (i: number) => {
    const c = await RawConn.open(server.port);
    open.push(c);
    const parts: Buffer[] = [];
    for (let k = 0; k < 1 + int(r, 12); k++) {
      const p = r() < 0.15 ? randomText(r) : randomPacket(r, ['H:x:1', `H:x:${1 + int(r, i + 1)}`]);
      parts.push(r() < 0.25 ? mutate(r, p) : p);
    }
    for (const piece of chunks(r, Buffer.concat(parts))) c.send(piece);
    // Half leave at once (mid-stream), half stay open until a later batch closes them.
    if (r() < 0.5) c.close();
  };

  for (let i = 0; i < SERVER_CONNECTIONS; i += PARALLEL_CONNECTIONS) {
    await Promise.all(Array.from({ length: PARALLEL_CONNECTIONS }, (_, k) => hostile(i + k)));
    const token = `ping-${i}`;
    healthy.req(16, token);
    const echo = await healthy
      .readPacket(5000)
      .catch((err) =>
        assert.fail(`healthy connection stalled after ${i} hostile connections (FUZZ_SEED=${SEED}): ${err}`),
      );
    assert.equal(echo.payload.toString('latin1'), token, `FUZZ_SEED=${SEED}`);
    if (open.length > 64) for (const c of open.splice(0, open.length)) c.close();
  }
  for (const c of open) c.close();

  // The server still does real work after all that.
  healthy.req(7, 'after-fuzz', '', 'payload');
  const created = await healthy.readPacket();
  assert.equal(created.type, 8);
  const w = await RawConn.open(server.port);
  t.after(() => w.close());
  w.req(1, 'after-fuzz');
  w.req(9);
  const assigned = await w.readPacket();
  assert.equal(assigned.type, 11);
  w.req(13, created.payload, 'done');
  const result = await healthy.readPacket();
  assert.equal(result.type, 13);
  assert.equal(result.payload.toString('latin1'), `${created.payload.toString('latin1')}\0done`);
  assert.deepEqual(internalErrors, [], `internal errors (FUZZ_SEED=${SEED})`);
});
