// Keepalive is on, with the configured idle time, on every socket gmsup owns: the embedded server's
// accepted connections, a GearmanClient's and an in-process worker's connections, and (through the
// workers file and the WorkerSpec) a daemon-run worker's and the daemon's embedded server's. Read back
// from the kernel with `ss` (the keepalive timer left on each socket).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { startJobServer } from '../../../src/server/index.js';
import { runWorker } from '../../../src/worker/index.js';
import type { WorkerSpec } from '../../../src/worker/spec.js';
import { socketTimers, type SocketTimer } from '../../helpers/socket-timers.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, startDaemon } from '../daemon/daemon-harness.js';

/** The timer is a keepalive timer armed with `idleMs` (a little of it may have run down already). */
function armedWith(timer: SocketTimer | undefined, idleMs: number): boolean {
  return timer?.kind === 'keepalive' && timer.remainingMs <= idleMs && timer.remainingMs > idleMs - 3000;
}

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

test('server, client and worker sockets each run keepalive with their own idle time', async (t) => {
  const server = await startJobServer({ port: 0, keepalive: { idleMs: 30_000, intervalMs: 1000, count: 2 } });
  t.after(() => server.close());
  const spec: WorkerSpec = {
    name: 'ka_cat',
    function: 'ka_cat',
    kind: 'command',
    command: ['cat'],
    servers: [server.address],
    concurrency: 1,
    timeoutMs: null,
    env: {},
    cwd: process.cwd(),
    maxJobs: null,
    stopTimeoutMs: 1000,
    keepalive: { idleMs: 8000 },
  };
  const worker = await runWorker(spec);
  t.after(() => worker.force());
  const client = new GearmanClient({ servers: [server.address], keepalive: { idleMs: 18_000 } });
  t.after(() => client.close());
  assert.equal((await client.submit('ka_cat', 'hi')).toString(), 'hi');

  // A socket with data in flight shows its retransmit timer instead: read once all are quiet.
  const quiet = (side: 'local' | 'peer') =>
    waitFor(
      () => {
        const timers = socketTimers(server.port, side);
        return timers.length === 2 && timers.every((x) => x.kind === 'keepalive') ? timers : null;
      },
      { what: `two quiet sockets (${side} port ${server.port})` },
    );
  const serverSide = await quiet('local');
  assert.equal(serverSide.length, 2, JSON.stringify(serverSide));
  for (const timer of serverSide) assert.ok(armedWith(timer, 30_000), JSON.stringify(serverSide));
  // Our two outgoing sockets: the client's (18 s) and the worker's (8 s).
  const outgoing = (await quiet('peer')).sort((a, b) => a.remainingMs - b.remainingMs);
  assert.equal(outgoing.length, 2, JSON.stringify(outgoing));
  assert.ok(armedWith(outgoing[0], 8000), JSON.stringify(outgoing));
  assert.ok(armedWith(outgoing[1], 18_000), JSON.stringify(outgoing));
});

test('keepalive: false leaves a client socket without keepalive', async (t) => {
  const server = await startJobServer({ port: 0, keepalive: false });
  t.after(() => server.close());
  const client = new GearmanClient({ servers: [server.address], keepalive: false });
  t.after(() => client.close());
  await client.getStatus('H:none:1');
  assert.deepEqual(socketTimers(server.port, 'either'), []);
});

test('workers file: server.keepalive and a worker keepalive reach the daemon server and the worker', async (t) => {
  const d = await startDaemon(
    t,
    `
server:
  listen: 127.0.0.1:0
  keepalive: { idle: 40s, interval: 2s, count: 3 }
workers:
  echo:
    module: ${fixture('echo.mjs')}
    keepalive: { idle: 13s, interval: 1s, count: 2 }
`,
  );
  const port = portOf(await d.server());
  // The worker's registration connection; the daemon's monitor polls with short-lived admin connections.
  const worker = await waitFor(() => socketTimers(port, 'peer').find((x) => x.kind === 'keepalive'), {
    what: 'the worker connection',
  });
  assert.ok(armedWith(worker, 13_000), JSON.stringify(worker));
  const accepted = await waitFor(
    () => socketTimers(port, 'local').find((x) => x.peer === worker.local && x.kind === 'keepalive'),
    { what: "the server's side of the worker connection, quiet" },
  );
  assert.ok(armedWith(accepted, 40_000), JSON.stringify(accepted));
});
