// Shell completion generated from the command table: the bash script is sourced in a real bash and its
// function called with COMP_WORDS/COMP_CWORD as bash would; zsh's script is syntax-checked by zsh when
// it is installed. Worker names come from the workers file through `gmsup describe --names`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../../src/cli/command-table.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { BIN } from '../daemon/daemon-harness.js';

const hasZsh = spawnSync('sh', ['-c', 'command -v zsh'], { stdio: 'ignore' }).status === 0;

function setup(t: { after(fn: () => void): void }) {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'bin'));
  const wrapper = join(dir, 'bin', 'gmsup');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  writeFileSync(join(dir, 'workers.yaml'), 'workers:\n  alpha: { command: wc }\n  beta: { command: wc }\n');
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'w.yaml'), 'workers:\n  gamma: { command: wc }\n');
  return dir;
}

test('bash: commands, options, worker names (also of -c FILE), signals, fixed words', (t) => {
  const dir = setup(t);
  const script = spawnSync(process.execPath, [BIN, 'completion', 'bash'], { encoding: 'utf8' });
  assert.equal(script.status, 0, script.stderr);
  writeFileSync(join(dir, 'gmsup.bash'), script.stdout);
  const cases: Array<[string[], string]> = [
    [['gmsup', 'st'], 'start stop status'],
    [['gmsup', 'status', '--'], '--json --config --help'],
    [['gmsup', 'stop', ''], 'alpha beta workers.yaml bin/ other/'],
    [['gmsup', 'stop', '-c', 'other/w.yaml', ''], 'gamma workers.yaml bin/ other/'],
    [['gmsup', 'signal', 'alpha', 'US'], 'USR1 USR2'],
    [['gmsup', 'restart', 'b'], 'beta bin/'],
    [['gmsup', 'help', 'de'], 'describe'],
    [['gmsup', 'completion', ''], 'bash zsh'],
    [['gmsup', 'logs', '-f', '-n', ''], ''],
    [['gmsup', 'work', 'fn', '--m'], '--module --max-jobs'],
  ];
  const calls = cases.map(([words]) => `t ${words.map((w) => `'${w}'`).join(' ')}`).join('\n');
  const run = spawnSync(
    'bash',
    [
      '-c',
      `source ./gmsup.bash
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _gmsup; echo "\${COMPREPLY[*]}"; }
${calls}`,
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } },
  );
  assert.equal(run.status, 0, run.stderr);
  const got = run.stdout.split('\n');
  const sorted = (line: string | undefined) => (line ?? '').split(' ').sort().join(' ');
  for (const [i, [words, expected]] of cases.entries()) assert.equal(sorted(got[i]), sorted(expected), words.join(' '));
  // Every command of the table is completed.
  assert.ok(Object.keys(COMMANDS).every((c) => script.stdout.includes(`    ${c})`)));
});

test('zsh: the script is valid zsh and hands _arguments the right specs', {
  skip: hasZsh ? false : 'needs zsh; install with: apt-get install -y zsh',
}, (t) => {
  const dir = setup(t);
  const script = spawnSync(process.execPath, [BIN, 'completion', 'zsh'], { encoding: 'utf8' });
  assert.equal(script.status, 0, script.stderr);
  writeFileSync(join(dir, '_gmsup'), script.stdout);
  const check = spawnSync('zsh', ['-n', join(dir, '_gmsup')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  // Outside the line editor the completion system cannot run: stand in for its three functions, print
  // what _gmsup hands them, and check that for a few command lines.
  const run = spawnSync(
    'zsh',
    [
      '-f',
      '-c',
      `_describe() { print -r -- "describe $1: \${(P)2}" }
_arguments() { local a; for a in "$@"; do print -r -- "arg $a"; done }
_files() { print -r -- "files $*" }
source ./_gmsup >/dev/null
print -- '== commands'; words=(gmsup st); CURRENT=2; _gmsup
print -- '== signal'; words=(gmsup signal alpha ''); CURRENT=4; _gmsup
print -- '== workers -c'; words=(gmsup stop -c other/w.yaml ''); CURRENT=5; _gmsup_workers
print -- '== workers'; words=(gmsup stop ''); CURRENT=3; _gmsup_workers`,
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  const part = (name: string) => run.stdout.split(`== ${name}\n`)[1]?.split('\n==')[0] ?? '';
  assert.match(part('commands'), /^describe command: start:start the daemon.* help:show the commands/);
  assert.match(part('signal'), /^arg 1:NAME\\\[\/INDEX\\\]:_gmsup_workers$/m);
  assert.match(part('signal'), /^arg 2:SIGNAL:\(HUP INT .*USR1 SEGV USR2/m);
  assert.match(part('signal'), /^arg 3::FILE:_files -g "\*\.\(yaml\|yml\)"$/m);
  assert.match(part('signal'), /^arg \(-c --config\)--config\[the workers file/m);
  assert.match(part('workers -c'), /^describe worker: gamma$/m);
  assert.match(part('workers'), /^describe worker: alpha beta$/m);
});
