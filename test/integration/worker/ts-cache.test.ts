// The TS compile cache: compiled once, reused while the inputs are unchanged, recompiled when any
// bundled file changes; packages stay imports; import.meta.url keeps pointing at the source file.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileTsModule } from '../../../src/worker/ts-cache.js';
import { loadModuleHandler } from '../../../src/worker/module-handler.js';
import type { JobContext } from '../../../src/worker/job-context.js';
import { tempDir } from '../../helpers/temp-dir.js';

const noJob = {} as JobContext;

test('compiles once, reuses the cache, recompiles when an imported file changes', async (t) => {
  const dir = tempDir(t);
  const cacheDir = join(dir, 'cache');
  writeFileSync(join(dir, 'helper.ts'), `export const suffix: string = '-v1';\n`);
  writeFileSync(
    join(dir, 'mod.ts'),
    `import { suffix } from './helper.js';\nimport { basename } from 'node:path';\n` +
      'export default (p: Buffer): string =>\n' +
      `  p.toString() + suffix + ':' + basename(new URL(import.meta.url).pathname);\n`,
  );
  const first = await compileTsModule(join(dir, 'mod.ts'), cacheDir);
  assert.equal(first.compiled, true);
  const mtimeMs = statSync(first.file).mtimeMs;
  const second = await compileTsModule(join(dir, 'mod.ts'), cacheDir);
  assert.deepEqual(second, { file: first.file, compiled: false });
  assert.equal(statSync(first.file).mtimeMs, mtimeMs);

  const mod = (await import(pathToFileURL(first.file).href)) as { default: (p: Buffer) => string };
  assert.equal(mod.default(Buffer.from('x')), 'x-v1:mod.ts'); // import.meta.url is the source's

  writeFileSync(join(dir, 'helper.ts'), `export const suffix: string = '-v2';\n`);
  const third = await compileTsModule(join(dir, 'mod.ts'), cacheDir);
  assert.equal(third.compiled, true);
  assert.notEqual(third.file, first.file);
  const mod3 = (await import(pathToFileURL(third.file).href)) as { default: (p: Buffer) => string };
  assert.equal(mod3.default(Buffer.from('x')), 'x-v2:mod.ts');
  assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length, 1);
});

test('without a node_modules above it, the cache sits next to the module; syntax errors name the file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ok.ts'), `export default (): number => 42;\n`);
  const loaded = await loadModuleHandler(join(dir, 'ok.ts'), 'ok');
  assert.ok(loaded.importedFile.startsWith(join(dir, '.gmsup-cache')));
  assert.equal(await loaded.handler(Buffer.alloc(0), noJob), 42);
  writeFileSync(join(dir, 'bad.ts'), `export default (: number => ;\n`);
  await assert.rejects(loadModuleHandler(join(dir, 'bad.ts'), 'bad'), /cannot compile .*bad\.ts/);
});
