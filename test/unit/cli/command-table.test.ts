// The one command table: parsing options, help and the README come from it. Every command has help
// naming each of its options, a row in the README's command table, and the README's exit status table is
// the one src/shared/errors.ts generates.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, parseOptionsOf } from '../../../src/cli/args.js';
import { COMMANDS, specOf, type CommandName } from '../../../src/cli/command-table.js';
import { commandHelp, overview } from '../../../src/cli/help.js';
import { ErrorCodes, exitStatusTable, GmsupError } from '../../../src/shared/errors.js';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const names = Object.keys(COMMANDS) as CommandName[];

test('help of every command: usage, each option with its description, its exit statuses', () => {
  for (const name of names) {
    const spec = specOf(name);
    const help = commandHelp(name);
    assert.match(help, new RegExp(`^Usage: gmsup ${name}\\b`), name);
    for (const [key, o] of Object.entries(spec.options)) {
      assert.ok(help.includes(`--${key}`), `${name} --${key}`);
      assert.ok(help.includes(o.description), `${name} --${key} description`);
    }
    if (spec.usesConfig) assert.ok(help.includes('-c, --config FILE'), `${name} -c`);
    for (const code of spec.exits) assert.ok(help.includes(ErrorCodes[code].doc), `${name} exit ${code}`);
    if (!spec.hidden) assert.ok(overview().includes(`  ${name} `), `${name} in the overview`);
  }
});

test('parsing uses the same options as the help, plus -h and -c where a file is read', () => {
  for (const name of names) {
    const spec = specOf(name);
    const keys = Object.keys(parseOptionsOf(name)).sort();
    const expected = [...Object.keys(spec.options), 'help', ...(spec.usesConfig ? ['config'] : [])].sort();
    assert.deepEqual(keys, expected, name);
  }
  const parsed = parseCommandArgs('logs', ['web', '-f', '-n', '5', '-c', 'w.yaml']);
  assert.deepEqual({ ...parsed.values }, { follow: true, lines: '5', config: 'w.yaml' });
  assert.deepEqual(parsed.positionals, ['web']);
  assert.throws(
    () => parseCommandArgs('status', ['--nope']),
    (e: unknown) => e instanceof GmsupError && e.code === 'USAGE' && /Usage: gmsup status/.test(e.message),
  );
  assert.throws(() => parseCommandArgs('restart', []), /missing NAME\|all/);
  assert.throws(() => parseCommandArgs('status', ['a.yaml', 'b.yaml']), /unexpected argument "b\.yaml"/);
});

test('the README has a row for every command and the generated exit status table', () => {
  for (const name of names) {
    if (specOf(name).hidden) continue;
    assert.match(README, new RegExp(`^\\| \`gmsup ${name}\\b`, 'm'), `README row for ${name}`);
  }
  const table = /<!-- exit-status-table:start -->\n([\s\S]*?)\n<!-- exit-status-table:end -->/.exec(README)?.[1];
  assert.equal(table, exitStatusTable(), 'README exit statuses: run npm run docs');
});
