// Text width in terminal columns (issue 11): ANSI colours and control characters are taken out of cells,
// wide characters (CJK, emoji) count two, and cutting never splits a character; `gmsup status` columns
// and the dashboard's log lines stay aligned with such text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import stringWidth from 'string-width';
import { formatStatus } from '../../../src/cli/status-text.js';
import { cell, cleanText, displayWidth, truncate } from '../../../src/shared/format.js';
import { buildLog } from '../../../src/tui/view-model.js';
import { snapshot } from '../tui/snapshot-fixture.js';

const RED = '\u001b[31m';
const RESET = '\u001b[0m';

test('cells: colours and control characters out, wide characters two columns, cuts whole', () => {
  assert.equal(cleanText(`${RED}error${RESET}\tx\u0007`), 'error x ');
  assert.equal(displayWidth(`${RED}ok${RESET}`), 2);
  assert.equal(displayWidth('日本語'), 6);
  assert.equal(displayWidth('👍🏽 ok'), 5);
  assert.equal(truncate('日本語テキスト', 7), '日本語…');
  assert.equal(truncate('a👍🏽b', 2), 'a…', 'an emoji that does not fit is not cut in two');
  for (const text of ['日本語テキスト', `${RED}red text${RESET}`, 'plain', '👍🏽👍🏽👍🏽👍🏽', 'x\u0301y\u0301']) {
    for (const width of [1, 2, 5, 8, 20]) {
      const c = cell(text, width);
      assert.equal(stringWidth(c), width, `cell(${JSON.stringify(text)}, ${width}) = ${JSON.stringify(c)}`);
      assert.doesNotMatch(c, /\u001b/);
      assert.equal(stringWidth(cell(text, width, true)), width);
    }
  }
});

test('gmsup status: columns line up with wide function names and coloured reasons', () => {
  const s = snapshot();
  const [first, second] = s.instances;
  assert.ok(first && second, 'the fixture has two instances');
  first.function = '翻訳';
  first.state = 'FATAL';
  first.reason = `${RED}boom${RESET} 💥`;
  const text = formatStatus(s);
  assert.doesNotMatch(text, /\u001b/);
  const lines = text.split('\n');
  const header = lines.find((l) => l.startsWith('NAME')) ?? assert.fail('no header');
  const rows = lines.filter((l) => /^(reverse|wc) /.test(l));
  assert.equal(rows.length, 3);
  // The STATE and UPTIME columns start at the same terminal column on every line.
  const col = (line: string, word: string) => stringWidth(line.slice(0, line.indexOf(word)));
  for (const r of rows) {
    const state = r.includes('FATAL') ? 'FATAL' : 'RUNNING';
    assert.equal(col(r, state), col(header, 'STATE'), r);
  }
  assert.ok(rows.some((r) => r.includes('翻訳') && r.includes('boom 💥')));
});

test('dashboard log pane: no escape sequence reaches blessed, no line wider than the pane', () => {
  const base = { atMs: 0, source: 'w/0/1', worker: 'w', stream: 'stdout' as const };
  const lines = [
    { ...base, text: `${RED}colourful${RESET} output` },
    { ...base, text: '日本語のログ行'.repeat(10) },
    { ...base, text: '🚀'.repeat(50) },
  ];
  const ui = { logOnlySelected: false, filter: '' } as never;
  for (const width of [40, 80]) {
    const out = buildLog(lines, ui, undefined, width, 10);
    for (const l of out) {
      const text = l.segments.map((s) => s.text).join('');
      assert.doesNotMatch(text, /\u001b/);
      assert.ok(stringWidth(text) <= width, `${stringWidth(text)} > ${width}: ${text}`);
    }
  }
});
