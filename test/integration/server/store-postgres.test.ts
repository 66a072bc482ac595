// The postgres: store against a real PostgreSQL (started by the test, removed afterwards): kill -9 loses
// nothing acknowledged; PostgreSQL restarting under a running server makes submissions fail with ERROR
// (never a silent success), the store reconnects and serves again; start-up problems exit 2.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from '../../helpers/gearmand.js';
import { skipUnlessPostgres, startPostgres } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/wait-for.js';
import { admin, crashScenario, runServer, startStoreServer, submitMany, totalJobs } from './store-harness.js';

const skip = skipUnlessPostgres();

test('postgres: kill -9 with 5,000 queued and while jobs flow loses nothing acknowledged', { skip }, async (t) => {
  const pg = await startPostgres();
  t.after(() => pg.stop());
  pg.psql('CREATE DATABASE gm');
  const figures = await crashScenario(t, pg.url('gm'), (l) => t.diagnostic(l));
  assert.equal(figures.lost, 0);
  assert.ok(figures.acked > 5000, `${figures.acked} acknowledged: some while jobs flowed`);
});

test('postgres restarted under a running server: ERROR while down, retried, nothing acknowledged lost', {
  skip,
}, async (t) => {
  const pg = await startPostgres();
  t.after(() => pg.stop());
  pg.psql('CREATE DATABASE gm');
  const server = await startStoreServer(t, pg.url('gm'));
  const before = await submitMany(
    server.port,
    'r',
    Array.from({ length: 200 }, (_, i) => `before${i}`),
  );
  assert.equal(before.acked.size, 200);
  await pg.stopServer();
  const down = await submitMany(server.port, 'r', ['while-down-1', 'while-down-2']);
  assert.equal(down.acked.size, 0, 'no silent success while PostgreSQL is down');
  assert.deepEqual(down.refused, ['while-down-1', 'while-down-2']);
  const failing = await admin(server.port, 'store');
  assert.match(failing, /\nstate\tfailing\n/);
  assert.doesNotMatch(failing, /\nerror\t-\n/);
  await pg.startServer();
  await waitFor(async () => /\nstate\tok\n/.test(await admin(server.port, 'store')), {
    timeoutMs: 20_000,
    what: 'the store to write again',
  });
  const after = await submitMany(
    server.port,
    'r',
    Array.from({ length: 200 }, (_, i) => `after${i}`),
  );
  assert.equal(after.acked.size, 200);
  await server.kill9();
  const again = await startStoreServer(t, pg.url('gm'));
  assert.equal(await totalJobs(again.port, 'r'), 400, 'every acknowledged job, none of the refused');
  await again.stop();
});

test('postgres start-up problems: one line naming the store, exit code 2', { skip }, async (t) => {
  const pg = await startPostgres();
  t.after(() => pg.stop());
  pg.psql('CREATE DATABASE gm');
  const held = await startStoreServer(t, pg.url('gm'));
  const closedPort = await freePort();
  const cases: Array<[string, RegExp]> = [
    [pg.url('gm', 'wrong-password'), /password authentication failed/],
    [`postgres://postgres:x@127.0.0.1:${closedPort}/gm`, /cannot connect: nothing listens there/],
    [pg.url('nosuchdb'), /database "nosuchdb" does not exist/],
    [pg.url('gm'), /in use by another gmsup server/],
  ];
  for (const [store, why] of cases) {
    const run = runServer(t, ['--listen', '127.0.0.1:0', '--store', store]);
    assert.equal(await run.exit, 2, store);
    const lines = run.err().trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${run.err()}`);
    assert.match(lines[0]!, /^gmsup server: job store postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\//);
    assert.match(lines[0]!, why);
    assert.doesNotMatch(lines[0]!, /wrong-password|gmsup-test-pw/, 'no password in the message');
  }
  await held.stop();
});
