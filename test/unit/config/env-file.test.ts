// env_file: the parser (each documented form, every bad line reported with its number) and the config
// key (precedence, a missing file or a bad line is a config error at the key's place).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseEnvFile } from '../../../src/config/env-file.js';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('env files: comments, export, unquoted, single and double quotes, escapes, multi-line, last wins', () => {
  const text = [
    '# a comment',
    '',
    'A=1',
    'export B=two words',
    'C = spaced  # trailing comment',
    "D='literal $X # not a comment'",
    'E="line1\\nline2 \\"q\\" \\\\ \\$HOME"',
    'F="multi',
    'line" # after',
    'G=',
    'H=a#b',
    'A=again',
  ].join('\r\n');
  const clean = parseEnvFile(`\uFEFF${text}\r\n`); // a BOM and CRLF line ends (files from Windows editors)
  assert.ok(clean.ok, JSON.stringify(clean));
  assert.deepEqual(clean.vars, {
    A: 'again',
    B: 'two words',
    C: 'spaced',
    D: 'literal $X # not a comment',
    E: 'line1\nline2 "q" \\ $HOME',
    F: 'multi\nline',
    G: '',
    H: 'a#b',
  });
});

test('env files: bad lines are reported with their line numbers, all of them', () => {
  const r = parseEnvFile(['OK=1', 'no equals sign', '1BAD=x', 'Q="open', 'R=1'].join('\n'));
  assert.ok(!r.ok);
  assert.deepEqual(
    r.problems.map((p) => p.line),
    [2, 3, 4],
  );
  assert.match(r.problems[0]?.message ?? '', /expected NAME=value/);
  assert.match(r.problems[1]?.message ?? '', /bad variable name "1BAD"/);
  assert.match(r.problems[2]?.message ?? '', /Q: unterminated/);
  const trailing = parseEnvFile("S='x' y");
  assert.ok(!trailing.ok);
});

test('env_file in a workers file: top level under the worker file under env:, later files win', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'common.env'), 'A=common\nB=common\nC=common\nD=common\n');
  writeFileSync(join(dir, 'w1.env'), 'B=w1\nC=w1\n');
  writeFileSync(join(dir, 'w2.env'), 'C=w2\n');
  writeFileSync(join(dir, 'h.mjs'), 'export default () => "";\n');
  const file = join(dir, 'workers.yaml');
  writeFileSync(
    file,
    [
      'env_file: common.env',
      'server: { listen: 127.0.0.1:0 }',
      'workers:',
      '  w:',
      '    module: h.mjs',
      '    env_file: [w1.env, w2.env]',
      '    env: { D: explicit }',
      '  plain:',
      '    module: h.mjs',
    ].join('\n'),
  );
  const config = await loadConfig(file);
  const env = (name: string) => config.programs.find((p) => p.name === name)?.spec.env;
  assert.deepEqual(env('w'), { A: 'common', B: 'w1', C: 'w2', D: 'explicit' });
  assert.deepEqual(env('plain'), { A: 'common', B: 'common', C: 'common', D: 'common' });
});

test('env_file problems are config errors at the line of the env_file value', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'bad.env'), 'OK=1\nnot a line\n');
  writeFileSync(join(dir, 'h.mjs'), 'export default () => "";\n');
  const file = join(dir, 'workers.yaml');
  writeFileSync(
    file,
    ['env_file: missing.env', 'workers:', '  w:', '    module: h.mjs', '    env_file: bad.env'].join('\n'),
  );
  const err = await loadConfig(file).then(
    () => assert.fail('accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConfigError);
  const lines = err.message.split('\n').slice(1);
  assert.match(lines[0] ?? '', /workers\.yaml:1:11 env_file: env file not found or not readable: .*missing\.env$/);
  assert.match(lines[1] ?? '', /workers\.yaml:5:15 workers\.w\.env_file: .*bad\.env:2: expected NAME=value$/);
});
