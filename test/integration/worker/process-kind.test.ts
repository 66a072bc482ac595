// The `process` kind: a real PHP (and Perl) worker program started and supervised by the worker
// runtime; it gets the servers through {servers} and GEARMAN_SERVERS and registers itself.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { GearmanClient, adminStatus } from '../../../src/client/index.js';
import { skipUnless } from '../../helpers/external.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FIXTURES, SERVER_KINDS, WorkerChild, spec, startServer } from './helpers.js';

for (const { kind, skip } of SERVER_KINDS) {
  test(`${kind}: a PHP GearmanWorker as a process-kind worker, stopped through worker:stop`, {
    skip: skip || skipUnless('phpGearman'),
  }, async (t) => {
    const server = await startServer(kind);
    t.after(() => server.stop());
    const w = WorkerChild.start(t);
    w.init(
      spec({
        function: 'phprev',
        servers: [server.address],
        kind: 'process',
        command: ['php', join(FIXTURES, 'php-worker.php'), '{servers}'],
      }),
    );
    await w.waitMessage('worker:ready');
    await waitFor(
      async () => (await adminStatus(server.address)).find((s) => s.name === 'phprev' && s.availableWorkers > 0),
      { what: 'PHP worker registered' },
    );
    const client = new GearmanClient({ servers: [server.address] });
    t.after(() => client.close());
    assert.equal((await client.submit('phprev', 'abc')).toString(), `cba|${server.address}`);
    w.send({ type: 'worker:stop', reason: 'test' });
    assert.equal((await w.waitExit()).code, 0);
    await waitFor(
      async () => !(await adminStatus(server.address)).some((s) => s.name === 'phprev' && s.availableWorkers > 0),
      { what: 'PHP worker gone' },
    );
  });
}

test('a Perl Gearman::Worker as a process-kind worker (GEARMAN_SERVERS only); SIGTERM stops it', {
  skip: skipUnless('perlGearman'),
}, async (t) => {
  const server = await startServer('embedded');
  t.after(() => server.stop());
  const w = WorkerChild.start(t);
  w.init(
    spec({
      function: 'perlup',
      servers: [server.address],
      kind: 'process',
      command: ['perl', join(FIXTURES, 'perl-worker.pl')],
    }),
  );
  await w.waitMessage('worker:ready');
  const client = new GearmanClient({ servers: [server.address] });
  t.after(() => client.close());
  assert.equal((await client.submit('perlup', 'shout', { timeoutMs: 10_000 })).toString(), 'SHOUT');
  process.kill(w.pid, 'SIGTERM');
  assert.equal((await w.waitExit()).code, 0);
});
