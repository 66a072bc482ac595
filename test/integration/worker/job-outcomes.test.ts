// How non-async handler outcomes reach the client (embedded server): a plain value, a synchronous
// throw, a thenable, and a result JSON cannot encode. Each ends the job with one terminal packet and
// frees its slot (concurrency 1: a later job on the same worker must still run).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { GearmanClient, adminStatus } from '../../../src/client/index.js';
import { runWorker, type WorkerHandle } from '../../../src/worker/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FIXTURES, spec, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let client: GearmanClient;
const workers: WorkerHandle[] = [];

async function start(fn: string): Promise<WorkerHandle> {
  const w = await runWorker(
    spec({
      exceptions: true,
      function: fn,
      servers: [server.address],
      modulePath: join(FIXTURES, 'odd-results.mjs'),
      concurrency: 1,
    }),
  );
  workers.push(w);
  await waitFor(async () => (await adminStatus(server.address)).find((s) => s.name === fn && s.availableWorkers > 0), {
    what: `${fn} registered`,
  });
  return w;
}

const exceptionOf = (expected: RegExp) => (err: Error & { exception?: Buffer }) => {
  assert.match(err.exception?.toString() ?? '', expected);
  return true;
};

before(async () => {
  server = await startServer('embedded');
  client = new GearmanClient({ servers: [server.address] });
});
after(async () => {
  await Promise.all(workers.map((w) => w.force()));
  client.close();
  await server.stop();
});

test('a handler returning a plain value completes; many in a row on one slot', async () => {
  const w = await start('plainSync');
  for (let i = 0; i < 20; i++) assert.equal((await client.submit('plainSync', `p${i}`)).toString(), `sync:p${i}`);
  assert.equal(w.runtime!.jobsDone, 20);
});

test('a synchronous throw fails the job with its text and the slot is freed', async () => {
  const w = await start('throwsSync');
  await assert.rejects(client.submit('throwsSync', 'a', { exceptions: true }), exceptionOf(/^sync boom: a$/));
  await assert.rejects(client.submit('throwsSync', 'b', { exceptions: true }), exceptionOf(/^sync boom: b$/));
  assert.equal(w.runtime!.jobsFailed, 2);
  assert.equal(w.runtime!.inFlight, 0);
});

test('a thenable is followed like await follows it', async () => {
  await start('thenable');
  assert.equal((await client.submit('thenable', 't')).toString(), 'thenable:t');
});

test('a result JSON cannot encode fails the job instead of leaving it hanging', async () => {
  const w = await start('bigintResult');
  await assert.rejects(
    client.submit('bigintResult', 'x', { exceptions: true }),
    exceptionOf(/cannot encode the result: .*BigInt/i),
  );
  await assert.rejects(
    client.submit('bigintResult', 'y', { exceptions: true }),
    exceptionOf(/cannot encode the result/),
  );
  assert.equal(w.runtime!.jobsFailed, 2);
});
