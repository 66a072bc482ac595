// Result conversion, exception text, stderr tails and `gmsup work` command splitting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TailBuffer, exceptionText, resultBytes } from '../../../src/worker/result.js';
import { pickHandler } from '../../../src/worker/module-handler.js';
import { splitCommand } from '../../../src/cli/commands/work.js';

test('results: strings and bytes as is, undefined empty, anything else JSON', () => {
  assert.equal(resultBytes('x'), 'x');
  const u8 = new Uint8Array([1, 2]);
  assert.equal(resultBytes(u8), u8);
  assert.equal(resultBytes(undefined), '');
  assert.equal(resultBytes(null), 'null');
  assert.equal(resultBytes({ a: [1] }), '{"a":[1]}');
  assert.equal(resultBytes(7), '7');
});

test('exception text from errors, strings and other values', () => {
  assert.equal(exceptionText(new Error('bad')), 'bad');
  assert.equal(exceptionText('plain'), 'plain');
  assert.equal(exceptionText({ code: 1 }), '{"code":1}');
});

test('TailBuffer keeps the last bytes only', () => {
  const t = new TailBuffer(8);
  for (let i = 0; i < 100; i++) t.push(Buffer.from(`line${i}\n`));
  assert.equal(t.text(), 'line99');
});

test('pickHandler: named export wins, then default function, then default object member', () => {
  const a = () => 'a';
  const b = () => 'b';
  assert.equal(pickHandler({ f: a, default: b }, 'f', 'm'), a);
  assert.equal(pickHandler({ default: b }, 'f', 'm'), b);
  assert.equal(pickHandler({ default: { f: a } }, 'f', 'm'), a);
  assert.throws(() => pickHandler({ x: 1 }, 'f', 'm.ts'), /m\.ts has no handler for function "f"/);
});

test('splitCommand honours quotes and escapes, no expansion', () => {
  assert.deepEqual(splitCommand(`wc -l`), ['wc', '-l']);
  assert.deepEqual(splitCommand(`php "my worker.php" '{servers}' a\\ b $HOME`), [
    'php',
    'my worker.php',
    '{servers}',
    'a b',
    '$HOME',
  ]);
  assert.deepEqual(splitCommand(`x ""`), ['x', '']);
  assert.throws(() => splitCommand(`x "open`), /unterminated/);
});
