// What the npm package ships (issue 11: workers.example.yaml was not in `files`, so the README's quick start
// failed from an installed package): the example, the templates `gmsup init` reads, the schema, the docs,
// LICENSE and CHANGELOG. Checked on npm's own list of the files it would pack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('npm pack ships what the quick start, init, the schema line and the docs need', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = new Set((JSON.parse(r.stdout)[0].files as Array<{ path: string }>).map((f) => f.path));
  for (const f of [
    'workers.example.yaml',
    'examples/reverse.ts',
    'examples/progress.ts',
    'templates/workers.yaml',
    'templates/reverse.ts',
    'schema/workers.schema.json',
    'docs/config.md',
    'docs/deploy.md',
    'bin/gmsup.js',
    'LICENSE',
    'CHANGELOG.md',
    'README.md',
  ])
    assert.ok(files.has(f), `${f} is packed`);
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(`${ROOT}LICENSE`, 'utf8'), /^MIT License/);
  assert.match(pkg.repository.url, /github\.com\/gmsup\/gmsup/);
  assert.match(pkg.bugs.url, /\/issues$/);
});
