// Durations, sizes, shell-like command splitting and the key suggestion: the small pure parsers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitCommand } from '../../../src/shared/split-command.js';
import { editDistance, suggestKey } from '../../../src/config/suggest.js';
import { parseDurationMs, parseSizeBytes } from '../../../src/config/units.js';

const ms = (v: unknown) => {
  const r = parseDurationMs(v);
  return r.ok ? r.value : `error: ${r.message}`;
};
const bytes = (v: unknown) => {
  const r = parseSizeBytes(v);
  return r.ok ? r.value : `error: ${r.message}`;
};

test('durations: bare numbers are ms; ms, s, m, h, d and combinations', () => {
  assert.equal(ms(250), 250);
  assert.equal(ms('250'), 250);
  assert.equal(ms('500ms'), 500);
  assert.equal(ms('30s'), 30_000);
  assert.equal(ms('1.5s'), 1500);
  assert.equal(ms('5m'), 300_000);
  assert.equal(ms('1h'), 3_600_000);
  assert.equal(ms('2d'), 172_800_000);
  assert.equal(ms('1h30m'), 5_400_000);
  assert.equal(ms('1m 30s'), 90_000);
  assert.equal(ms('2S'), 2000);
  assert.equal(ms(0), 0);
  for (const bad of ['', '5x', '30 seconds', '1s1m', '1s1s', '-5s', 's', '1.2.3s'])
    assert.match(String(ms(bad)), /^error: bad duration/, bad);
  assert.equal(ms(-1), 'error: must not be negative, got -1');
  assert.match(String(ms(true)), /^error: expected a duration/);
  assert.match(String(ms(null)), /^error: expected a duration .* got nothing \(null\)/);
});

test('sizes: bytes, decimal KB/MB/GB, binary KiB/MiB/GiB', () => {
  assert.equal(bytes(4096), 4096);
  assert.equal(bytes('4096'), 4096);
  assert.equal(bytes('100B'), 100);
  assert.equal(bytes('512MB'), 512_000_000);
  assert.equal(bytes('512mb'), 512_000_000);
  assert.equal(bytes('64 KiB'), 65_536);
  assert.equal(bytes('1GiB'), 1_073_741_824);
  assert.equal(bytes('1.5GiB'), 1_610_612_736);
  assert.equal(bytes('2TB'), 2e12);
  for (const bad of ['', '10 megs', '1.5XB', 'MB', '-1MB', '1e3'])
    assert.match(String(bytes(bad)), /^error: bad size/, bad);
  assert.match(String(bytes([1])), /^error: expected a size .* got a list/);
});

test('command splitting: whitespace, quotes, escapes, no shell', () => {
  const split = (s: string) => {
    const r = splitCommand(s);
    return r.ok ? r.argv : `error: ${r.message}`;
  };
  assert.deepEqual(split('wc -l'), ['wc', '-l']);
  assert.deepEqual(split('  php   w.php  '), ['php', 'w.php']);
  assert.deepEqual(split(`sh -c 'echo "a b"; cat'`), ['sh', '-c', 'echo "a b"; cat']);
  assert.deepEqual(split('echo "a \\"b\\" $x" c'), ['echo', 'a "b" $x', 'c']);
  assert.deepEqual(split('echo "a\\nb"'), ['echo', 'a\\nb']);
  assert.deepEqual(split('a\'\'b "" c'), ['ab', '', 'c']);
  assert.deepEqual(split('a\\ b c'), ['a b', 'c']);
  assert.deepEqual(split('a | b > c'), ['a', '|', 'b', '>', 'c']);
  assert.deepEqual(split(''), []);
  assert.equal(split("a 'b"), 'error: unterminated single quote');
  assert.equal(split('a "b'), 'error: unterminated double quote');
  assert.equal(split('a \\'), 'error: trailing backslash');
});

test('key suggestion by edit distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('instnaces', 'instances'), 1); // a transposition is one edit
  const keys = ['instances', 'per_core', 'concurrency', 'timeout', 'env', 'module', 'max_memory'];
  assert.equal(suggestKey('instnaces', keys), 'instances');
  assert.equal(suggestKey('per-core', keys), 'per_core');
  assert.equal(suggestKey('PerCore', keys), 'per_core');
  assert.equal(suggestKey('concurency', keys), 'concurrency');
  assert.equal(suggestKey('modules', keys), 'module');
  assert.equal(suggestKey('maxmemory', keys), 'max_memory');
  assert.equal(suggestKey('foo', keys), null);
  assert.equal(suggestKey('frobnicate', keys), null);
});
