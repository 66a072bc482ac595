// Large messages (issue 13 goal 3): a 1 GiB job passes from a client through `gmsup server` (max packet
// size raised) to a module worker started the daemon's way, and the server's RSS grows by less than 1.2x
// the payload: it holds one copy, assembled once as it arrives, and passes it on uncopied. Needs ~5 GiB free.
// Afterwards (and after a 64 MiB job, which always runs) the server gives the memory back: its RSS returns
// to within 20 MiB of what it was before the job, once it has been idle for a second.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { adminStatus } from '../../../src/client/admin.js';
import { WorkerRuntime } from '../../../src/worker/runtime.js';
import { listeningPort, runServer } from '../../helpers/gmsup-server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FIXTURES, spec, WorkerChild } from '../worker/helpers.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const PAYLOAD_BYTES = 1 * GiB;

function memAvailableBytes(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) * 1024;
}

const free = memAvailableBytes();
const skip =
  free < 5 * GiB
    ? `needs about 5 GiB of free memory (client, server and worker each hold the 1 GiB payload); ${(free / GiB).toFixed(
        1,
      )} GiB available`
    : false;

test('a 1 GiB job passes through the embedded server with its RSS growing < 1.2x the payload', {
  skip,
  timeout: 180_000,
}, async (t) => {
  const run = runServer(t, ['--listen', '127.0.0.1:0', '--max-packet-size', String(2 * GiB)]);
  const server = run.child;
  const address = `127.0.0.1:${await listeningPort(run)}`;
  const worker = WorkerChild.start(t);
  worker.init(spec({ function: 'digest', servers: [address], modulePath: join(FIXTURES, 'digest.mjs') }));
  await waitFor(async () => (await adminStatus(address)).find((s) => s.name === 'digest' && s.availableWorkers > 0), {
    timeoutMs: 15_000,
    what: 'digest worker registered',
  });
  const client = new GearmanClient({ servers: [address] });
  t.after(() => client.close());
  assert.equal(String(await client.submit('digest', 'warm')), `4:${createHash('sha256').update('warm').digest('hex')}`);

  const baselineBytes = statusKb(server.pid!, 'VmRSS');
  const payload = Buffer.allocUnsafe(PAYLOAD_BYTES);
  for (let i = 0; i < PAYLOAD_BYTES; i += 4096) payload.writeUInt32LE(i, i); // distinct pages, cheap to fill
  const expected = `${PAYLOAD_BYTES}:${createHash('sha256').update(payload).digest('hex')}`;
  const result = await client.submit('digest', payload, { timeoutMs: 150_000 });
  assert.equal(String(result), expected, 'the worker saw the payload byte for byte');
  const growthBytes = statusKb(server.pid!, 'VmHWM') - baselineBytes;
  t.diagnostic(`server RSS growth ${(growthBytes / GiB).toFixed(3)} GiB for a 1 GiB payload`);
  assert.ok(growthBytes < 1.2 * PAYLOAD_BYTES, `server RSS grew ${(growthBytes / GiB).toFixed(2)} GiB`);
  await rssReturns(server.pid!, baselineBytes);
});

/** Waits (bounded) until the process's RSS is back within 20 MiB of `baselineBytes`. */
async function rssReturns(pid: number, baselineBytes: number): Promise<void> {
  await waitFor(() => statusKb(pid, 'VmRSS') < baselineBytes + 20 * MiB, {
    timeoutMs: 15_000,
    what: `server RSS back within 20 MiB of ${(baselineBytes / MiB).toFixed(0)} MiB`,
  });
}

test('after a 64 MiB job the idle server gives the memory back', { timeout: 60_000 }, async (t) => {
  const run = runServer(t, ['--listen', '127.0.0.1:0']);
  const server = run.child;
  const address = `127.0.0.1:${await listeningPort(run)}`;
  const worker = new WorkerRuntime({
    function: 'digest64',
    servers: [address],
    handler: (payload: Buffer) => String(payload.length),
    concurrency: 1,
    timeoutMs: null,
    maxJobs: null,
    stopTimeoutMs: 1000,
    clientId: 'test:digest64',
  });
  worker.start();
  t.after(() => worker.force());
  const client = new GearmanClient({ servers: [address] });
  t.after(() => client.close());
  assert.equal(String(await client.submit('digest64', 'warm')), '4');
  const baselineBytes = statusKb(server.pid!, 'VmRSS');
  assert.equal(String(await client.submit('digest64', Buffer.alloc(64 * MiB, 7))), String(64 * MiB));
  assert.ok(statusKb(server.pid!, 'VmHWM') > baselineBytes + 60 * MiB, 'the payload was in the server');
  await rssReturns(server.pid!, baselineBytes);
});
