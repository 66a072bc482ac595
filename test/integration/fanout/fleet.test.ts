// The local fleet with real sockets, driven by the http_call worker module itself: per-endpoint counts,
// one kept-alive connection per host, failure injection, reset, and clean stop (also when killed).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFleet } from '../../../examples/fanout/fleet.js';
import { agent, httpCall } from '../../../examples/fanout/http-call.js';
import { combinedHash, endpointAt, expectedPullHash, sha1Hex } from '../../../examples/fanout/targets.js';
import { waitFor } from '../../helpers/wait-for.js';

const BASE_PORT = 25000;
const COUNT = 300;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A 'timeout' target never answers; 'reset' and '5xx' ones answer at once. The deadline must be long
 * enough that an answer is never mistaken for a timeout on a loaded machine (300 calls at once).
 */
const CALL_TIMEOUT_MS = 2000;

test('fleet: counts, keep-alive reuse, failures, reset', async (t) => {
  const fleet = await startFleet({
    count: COUNT,
    basePort: BASE_PORT,
    procs: 2,
    behaviour: { latency: { kind: 'uniform', minMs: 1, maxMs: 5 }, sizeBytes: 700 },
  });
  t.after(() => fleet.close());

  // Pull once from every endpoint: bodies arrive intact and each endpoint counts exactly one GET.
  const got = await Promise.all(fleet.urls.map((url) => httpCall({ url, method: 'GET' })));
  assert.ok(got.every((r) => r.status === 200 && r.bytes === 700));
  assert.equal(combinedHash(got.map((r) => r.sha1)), expectedPullHash(COUNT, 700));
  let c = await fleet.counts();
  assert.deepEqual(c.requests, new Array(COUNT).fill(1));
  assert.equal(c.totals.get, COUNT);
  assert.equal(c.totals.ok, COUNT);
  assert.equal(c.totals.bytesOut, COUNT * 700);

  // 5 concurrent POSTs per endpoint share the one kept-alive connection: no second connection.
  await Promise.all(
    fleet.urls.flatMap((url) =>
      Array.from({ length: 5 }, () => httpCall({ url, method: 'POST', body: 'x'.repeat(10) })),
    ),
  );
  c = await fleet.counts();
  assert.deepEqual(c.perEndpoint.post, new Array(COUNT).fill(5));
  assert.deepEqual(c.perEndpoint.connections, new Array(COUNT).fill(1));
  assert.equal(c.totals.bytesIn, COUNT * 50);

  // The control endpoint reports the same numbers.
  const viaHttp = (await (await fetch(`${fleet.controlUrl}/counts`)).json()) as { totals: typeof c.totals };
  assert.deepEqual(viaHttp.totals, c.totals);

  // Failure injection: every failure the caller sees is one the fleet counted, of the same kind.
  await fleet.reset();
  await fleet.configure({ failRate: 0.3, latency: { kind: 'fixed', ms: 1 } });
  const outcomes = await Promise.all(
    fleet.urls.map((url) =>
      httpCall({ url, method: 'GET', timeoutMs: CALL_TIMEOUT_MS }).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    ),
  );
  c = await fleet.counts();
  const kind = (m: string) =>
    m === 'ok'
      ? 'ok'
      : m.startsWith('HTTP 503')
        ? '5xx'
        : m.startsWith('timeout')
          ? 'timeout'
          : m.startsWith('ECONNRESET') || m.startsWith('socket hang up')
            ? 'reset'
            : m;
  const tally: Record<string, number> = {};
  for (const o of outcomes) tally[kind(o)] = (tally[kind(o)] ?? 0) + 1;
  assert.deepEqual(
    tally,
    Object.fromEntries(
      Object.entries({
        ok: c.totals.ok,
        '5xx': c.totals.fail5xx,
        reset: c.totals.resets,
        timeout: c.totals.timeouts,
      }).filter(([, v]) => v > 0),
    ),
  );
  assert.ok(c.totals.fail5xx > 0 && c.totals.resets > 0 && c.totals.timeouts > 0, JSON.stringify(c.totals));
  assert.equal(c.totals.get, COUNT);

  // After a reset the same seed gives the same failures again.
  await fleet.reset();
  const again = await Promise.all(
    fleet.urls.map((url) =>
      httpCall({ url, method: 'GET', timeoutMs: CALL_TIMEOUT_MS }).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    ),
  );
  assert.deepEqual(again.map(kind), outcomes.map(kind));
  agent.destroy();
});

test('fleet: close frees every port and leaves no child; killed CLI takes its children along', async () => {
  const fleet = await startFleet({ count: 50, basePort: BASE_PORT, procs: 2 });
  const pids = fleet.pids;
  assert.ok(pids.every(alive));
  await fleet.close();
  assert.ok(pids.every((p) => !alive(p)));
  const e = endpointAt(49, BASE_PORT);
  await new Promise<void>((resolve, reject) => {
    const s = net
      .createServer()
      .once('error', reject)
      .listen(e.port, e.host, () => s.close(() => resolve()));
  });

  const main = fileURLToPath(new URL('../../../examples/fanout/fleet-main.ts', import.meta.url));
  const cli = spawn(
    process.execPath,
    ['--import', 'tsx', main, '--count', '40', '--base-port', String(BASE_PORT), '--latency', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  cli.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  try {
    const control = await waitFor(() => /control (http:\/\/\S+)/.exec(out)?.[1], {
      timeoutMs: 20_000,
      what: 'fleet ready line',
    });
    const health = (await (await fetch(`${control}/health`)).json()) as { pids: number[]; count: number };
    assert.equal(health.count, 40);
    const r = await httpCall({
      url: `http://${endpointAt(39, BASE_PORT).host}:${endpointAt(39, BASE_PORT).port}/`,
      method: 'GET',
    });
    assert.equal(r.sha1.length, 40);
    assert.notEqual(r.sha1, sha1Hex(Buffer.alloc(0)));
    cli.kill('SIGKILL');
    await waitFor(() => health.pids.every((p) => !alive(p)), {
      timeoutMs: 10_000,
      what: 'fleet children to exit after the CLI died',
    });
  } finally {
    if (cli.exitCode === null) cli.kill('SIGKILL');
    agent.destroy();
  }
});
