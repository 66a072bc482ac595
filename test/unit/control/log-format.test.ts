// The log file format (docs/logs.md): every LogLine survives formatLogLine -> parseLogLine, in both formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogLine, parseLogLine } from '../../../src/control/log-format.js';
import type { LogLine } from '../../../src/control/protocol.js';

const AT = Date.UTC(2025, 5, 1, 12, 0, 1, 7);
const lines: LogLine[] = [
  { atMs: AT, source: 'reverse/0/4242', worker: 'reverse', stream: 'stdout', text: 'hello  world ' },
  { atMs: AT, source: 're.v-e_r/12/-', worker: 're.v-e_r', stream: 'stderr', text: '\u001b[31mred\u001b[0m \r x' },
  { atMs: AT, source: 'daemon', worker: null, stream: 'daemon', text: 'gmsup daemon pid 1' },
  { atMs: AT, source: 'daemon', worker: 'reverse', stream: 'daemon', text: 'reverse/0/4242 STARTING -> RUNNING' },
  { atMs: AT, source: 'w/0/1', worker: 'w', stream: 'stdout', text: '' },
  { atMs: AT, source: 'w/0/1', worker: 'w', stream: 'stdout', text: '{"looks":"like json"} out err log' },
];

test('text format: the documented four fields, and every entry parses back', () => {
  assert.equal(formatLogLine(lines[0]!), '2025-06-01T12:00:01.007Z reverse/0/4242 out hello  world \n');
  assert.equal(
    formatLogLine(lines[3]!),
    '2025-06-01T12:00:01.007Z daemon:reverse log reverse/0/4242 STARTING -> RUNNING\n',
  );
  for (const l of lines) assert.deepEqual(parseLogLine(formatLogLine(l).slice(0, -1)), l);
});

test('json format: one object per line with the LogLine fields, and every entry parses back', () => {
  for (const l of lines) {
    const raw = formatLogLine(l, 'json');
    assert.equal(raw.split('\n').length, 2, 'one line');
    assert.deepEqual(JSON.parse(raw), l);
    assert.deepEqual(parseLogLine(raw.slice(0, -1)), l);
  }
});

test('a daemon text with line breaks becomes several entries with the same stamp and source', () => {
  const raw = formatLogLine({ atMs: AT, source: 'daemon', worker: null, stream: 'daemon', text: 'a\nb\r\nc' });
  const parsed = raw.trimEnd().split('\n').map(parseLogLine);
  assert.deepEqual(
    parsed.map((p) => p?.text),
    ['a', 'b', 'c'],
  );
  assert.ok(parsed.every((p) => p?.atMs === AT && p.source === 'daemon'));
});

test('lines in neither format are null, not guessed', () => {
  for (const bad of [
    '',
    'hello',
    '2025-06-01T12:00:01.007Z reverse/0/1 xx text',
    '2025-06-01T12:00:01.007Z reverse out text',
    '2025-06-01T12:00:01.007Z daemon out text',
    '2025-06-01 12:00:01 reverse/0/1 out text',
    '{"atMs":"x"}',
    '{not json',
  ])
    assert.equal(parseLogLine(bad), null, bad);
});
