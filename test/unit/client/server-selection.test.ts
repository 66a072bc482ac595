// Server selection is pure: MurmurHash3 matches its published vectors, rendezvous ranking spreads keys
// evenly and moves only about 1/n of them when a server is added, round-robin visits every server.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashKey, murmur3, rankServers, serverSeed, ServerPicker } from '../../../src/client/server-selection.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

test('murmur3 (x86, 32-bit) gives the reference values', () => {
  assert.equal(murmur3(bytes(''), 0), 0);
  assert.equal(murmur3(bytes(''), 1), 0x514e28b7);
  assert.equal(murmur3(bytes('test'), 0), 0xba6bd213);
  assert.equal(murmur3(bytes('Hello, world!'), 0), 0xc0363e43);
  assert.equal(murmur3(bytes('The quick brown fox jumps over the lazy dog'), 0), 0x2e4ff723);
  assert.equal(murmur3(bytes('abc'), 0x9747b28c), 0xc84a62dd);
  assert.equal(serverSeed('127.0.0.1:4730'), murmur3(bytes('127.0.0.1:4730'), 0));
});

const servers = ['10.0.0.1:4730', '10.0.0.2:4730', '10.0.0.3:4730'];
const keys = Array.from({ length: 10_000 }, (_, i) => bytes(`job-${i}`));

test('rendezvous ranking: every server once, stable, independent of list order, even spread', () => {
  const seeds = servers.map(serverSeed);
  const counts = [0, 0, 0];
  for (const key of keys) {
    const order = rankServers(key, seeds);
    assert.deepEqual([...order].sort(), [0, 1, 2]);
    assert.deepEqual(rankServers(key, seeds), order);
    counts[order[0]!]!++;
    // The same servers listed in another order pick the same server for the key.
    const reversed = [...seeds].reverse();
    assert.equal(servers.length - 1 - rankServers(key, reversed)[0]!, order[0]);
  }
  for (const n of counts) assert.ok(n > 3000 && n < 3700, `uneven spread ${counts}`);
});

test('adding a server moves only the keys it wins (about 1/4); removing one moves only its own', () => {
  const three = servers.map(serverSeed);
  const four = [...servers, '10.0.0.4:4730'].map(serverSeed);
  let moved = 0;
  for (const key of keys) {
    const before = rankServers(key, three)[0]!;
    const after = rankServers(key, four)[0]!;
    if (after !== before) {
      assert.equal(after, 3, 'a key may only move to the new server');
      moved++;
    }
  }
  assert.ok(moved > 2200 && moved < 2800, `moved ${moved} of 10000`);
  const two = [three[0]!, three[2]!];
  for (const key of keys) {
    const before = rankServers(key, three)[0]!;
    const after = rankServers(key, two)[0]!;
    if (before !== 1) assert.equal(after === 0 ? 0 : 2, before, 'a key not on the removed server stays');
  }
});

test('picker: balanced hashes uniques and rotates the rest; ordered is list order; one server is trivial', () => {
  const balanced = new ServerPicker(servers, 'balanced', () => 0.5);
  const firsts = Array.from({ length: 6 }, () => balanced.order('', 'payload')[0]);
  assert.deepEqual(firsts, [1, 2, 0, 1, 2, 0]); // random start 0.5 * 3 = index 1, then round-robin
  assert.deepEqual(balanced.order('', 'x'), [1, 2, 0]);
  const home = balanced.home('user-42');
  assert.equal(balanced.order('user-42', 'any payload')[0], home);
  assert.deepEqual(balanced.order('user-42', ''), rankServers(bytes('user-42'), servers.map(serverSeed)));
  // The unique "-" coalesces on the payload on the server, so it is the payload that is hashed.
  assert.deepEqual(hashKey('-', 'abc'), bytes('abc'));
  assert.equal(hashKey('', 'abc'), undefined);
  assert.deepEqual(balanced.order('-', 'abc'), rankServers(bytes('abc'), servers.map(serverSeed)));

  const ordered = new ServerPicker(servers, 'ordered');
  assert.deepEqual(ordered.order('user-42', ''), [0, 1, 2]);
  assert.deepEqual(ordered.order('', ''), [0, 1, 2]);
  assert.equal(ordered.home('user-42'), 0);
  assert.deepEqual(new ServerPicker(['a:1'], 'balanced').order('k', ''), [0]);
});
