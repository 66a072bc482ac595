// Result conversion, exception text, stderr tails and `gmsup work` command splitting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TailBuffer, exceptionText, resultBytes } from '../../../src/worker/result.js';
import { pickHandler } from '../../../src/worker/module-handler.js';
import { parseWorkArgs } from '../../../src/cli/commands/work.js';
import { splitCommand } from '../../../src/shared/split-command.js';

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

test('gmsup work --command and a workers file `command:` split the same text the same way', () => {
  // The old `gmsup work` splitter turned "\\n" inside double quotes into "n"; the shell keeps both.
  for (const text of [`php "my worker.php" '{servers}' a\\ b $HOME`, 'echo "a\\nb" "q\\"x"', `x ""`]) {
    const split = splitCommand(text);
    assert.ok(split.ok);
    assert.deepEqual(parseWorkArgs(['fn', '--command', text]).spec.command, split.argv, text);
  }
  assert.throws(() => parseWorkArgs(['fn', '--command', 'x "open']), /unterminated double quote/);
});
