// Where the daemon of a workers file lives: GMSUP_STATE_DIR, else the file's state_dir (read leniently,
// so a file that is invalid right now still finds its daemon), else .gmsup/<name> next to the file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateConfigText } from '../../../src/config/load.js';
import { chooseStateDir, resolveConfigFile, stateDirFor } from '../../../src/shared/state-dir.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('the state dir rule: env over the file over the default; relative paths resolve where documented', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'app.yaml');
  writeFileSync(file, 'workers: {}\n');
  assert.equal(stateDirFor(file, {}), join(dir, '.gmsup', 'app'));
  writeFileSync(file, 'state_dir: run/state\nworkers: {}\n');
  assert.equal(stateDirFor(file, {}), join(dir, 'run', 'state'));
  assert.equal(stateDirFor(file, { GMSUP_STATE_DIR: '/var/run/x' }), '/var/run/x');
  // The file is broken further down: state_dir is still found.
  writeFileSync(file, 'state_dir: /srv/gm\nworkers:\n  a: [unclosed\n');
  assert.equal(stateDirFor(file, {}), '/srv/gm');
  assert.equal(stateDirFor(join(dir, 'missing.yaml'), {}), join(dir, '.gmsup', 'missing'));
  assert.equal(chooseStateDir('/etc/gm/w.yaml', undefined, undefined), '/etc/gm/.gmsup/w');
});

test('the validated config follows the same rule as the CLI', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'w.yaml');
  const text = 'state_dir: ../elsewhere\nworkers: {}\n';
  writeFileSync(file, text);
  const fs = { isFile: () => true, isDir: () => true, onPath: () => true };
  for (const env of [undefined, '/tmp/gmsup-env-state']) {
    const r = validateConfigText(text, file, { fs, env: env === undefined ? {} : { GMSUP_STATE_DIR: env } });
    assert.ok(r.ok);
    assert.equal(r.config.stateDir, stateDirFor(file, env === undefined ? {} : { GMSUP_STATE_DIR: env }));
  }
});

test('the workers file: the one given, else GMSUP_CONFIG, else ./workers.yaml', () => {
  assert.equal(resolveConfigFile('/a/b.yaml', { GMSUP_CONFIG: '/c/d.yaml' }), '/a/b.yaml');
  assert.equal(resolveConfigFile(undefined, { GMSUP_CONFIG: '/c/d.yaml' }), '/c/d.yaml');
  assert.equal(resolveConfigFile(undefined, { GMSUP_CONFIG: '' }), join(process.cwd(), 'workers.yaml'));
});
