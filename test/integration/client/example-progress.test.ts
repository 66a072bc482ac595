// The progress example (examples/progress.ts, in the README's quick start) through `gmsup submit
// --verbose`: streamed data lines on stdout, each status line once on stderr, then the result.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startJobServer } from '../../../src/server/index.js';
import { spec, WorkerChild } from '../worker/helpers.js';
import { runCli } from './run-cli.js';

const PROGRESS = fileURLToPath(new URL('../../../examples/progress.ts', import.meta.url));

test('submit --verbose on the progress example prints every status once', async (t) => {
  const server = await startJobServer({ port: 0 });
  t.after(() => server.close());
  const worker = WorkerChild.start(t);
  worker.init(spec({ function: 'progress', servers: [server.address], kind: 'module', modulePath: PROGRESS }));
  await worker.waitMessage('worker:ready', 20_000);
  const r = await runCli(['submit', '-v', '-s', server.address, 'progress', 'one two three']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1/3 one\n2/3 two\n3/3 three\n{"words":3}');
  assert.deepEqual(
    r.stderr.split('\n').filter((l) => l.startsWith('status')),
    ['status 1/3', 'status 2/3', 'status 3/3'],
  );
});
