// `gmsup server` as a real process: prints its address, serves, exits 0 on SIGTERM; a taken port is
// a clear error with a non-zero exit.

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { runServer } from '../../helpers/gmsup-server.js';
import { RawConn } from '../../helpers/raw-gearman.js';
import { waitFor } from '../../helpers/wait-for.js';

test('gmsup server listens on a free port, answers, and exits 0 on SIGTERM', async (t) => {
  const run = runServer(t, ['--listen', '127.0.0.1:0', '--job-handle-prefix', 'GMS']);
  const line = await waitFor(() => /^listening on 127\.0\.0\.1:(\d+)\n/.exec(run.out()), {
    timeoutMs: 10_000,
    what: 'listening line',
  });
  const port = Number(line[1]);
  const c = await RawConn.open(port);
  t.after(() => c.close());
  c.req(18, 'f', '', 'x');
  const p = await c.readPacket();
  assert.equal(p.type, 8);
  assert.equal(p.payload.toString(), 'GMS:1');
  c.send('status\n');
  assert.equal(await c.readList(), 'f\t1\t0\t0\n.\n');
  run.child.kill('SIGTERM');
  assert.equal(await run.exit, 0);
});

test('gmsup server on a taken port fails with a clear message', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.after(() => blocker.close());
  const { port } = blocker.address() as net.AddressInfo;
  const run = runServer(t, ['--listen', `127.0.0.1:${port}`]);
  const code = await run.exit;
  assert.equal(code, 14, 'ADDRESS_IN_USE');
  assert.match(run.err(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use`));
  assert.equal(run.err().trim().split('\n').length, 1, `one line: ${run.err()}`);
});

test('gmsup server stops on the shutdown admin command', async (t) => {
  const run = runServer(t, ['--listen', '127.0.0.1:0']);
  const line = await waitFor(() => /^listening on 127\.0\.0\.1:(\d+)\n/.exec(run.out()), {
    timeoutMs: 10_000,
    what: 'listening line',
  });
  const c = await RawConn.open(Number(line[1]));
  t.after(() => c.close());
  c.send('shutdown\n');
  assert.equal(await c.readLine(), 'OK\r\n');
  assert.equal(await run.exit, 0);
});
