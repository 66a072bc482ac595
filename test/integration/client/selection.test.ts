// GearmanClient server selection on several real job servers (gmsup's embedded server on loopback): a
// job with a unique lands on the server its unique hashes to (every client agrees, so coalescing works
// across servers), jobs without one are spread round-robin, status is asked where the job went, and a
// picked server that is down is skipped until it is back.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { adminStatus, GearmanClient } from '../../../src/client/index.js';
import { startJobServer, type JobServer } from '../../../src/server/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startRawWorker } from './raw-worker.js';

const BIN = join(import.meta.dirname, '../../../bin/gmsup.js');

/** Runs the CLI without blocking this process (its servers answer from here). */
function gmsup(...args: string[]): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 }, (err, _out, stderr) =>
      resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stderr }),
    );
  });
}

describe('server selection across three servers', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });
  const track = <T extends { close(): Promise<unknown> }>(x: T): T => {
    cleanups.push(() => x.close());
    return x;
  };
  const servers = async (n: number, port = 0): Promise<JobServer[]> =>
    Promise.all(Array.from({ length: n }, () => startJobServer({ port }).then(track)));
  /** Queued jobs of `fn` per server, in the servers' order. */
  const queued = async (list: JobServer[], fn: string) =>
    Promise.all(list.map(async (s) => (await adminStatus(s.address)).find((f) => f.name === fn)?.total ?? 0));

  test('uniques go to their hashed server, whichever client and list order; status is asked there', async () => {
    const list = await servers(3);
    const addresses = list.map((s) => s.address);
    const a = track(new GearmanClient({ servers: addresses }));
    const b = track(new GearmanClient({ servers: [...addresses].reverse() }));
    const expected = [0, 0, 0];
    for (let i = 0; i < 60; i++) {
      const unique = `order-${i}`;
      const home = a.serverFor(unique);
      assert.equal(b.serverFor(unique), home, 'clients with the same servers agree, whatever the order');
      expected[addresses.indexOf(home)]!++;
      const handle = await a.submitBackground('sel_bg', `p${i}`, { unique });
      assert.equal(a.serverOf(handle), home);
      // The other client coalesces onto the same queued job: same server, same handle.
      assert.equal(await b.submitBackground('sel_bg', `p${i}`, { unique }), handle);
      // Status: by the remembered server, by the unique (a fresh client), or by naming the server.
      assert.equal((await a.getStatus(handle)).known, true);
      const fresh = track(new GearmanClient({ servers: addresses }));
      assert.equal((await fresh.getStatus(handle, { unique })).known, true);
      assert.equal((await fresh.getStatus(handle, { server: home })).known, true);
      await fresh.close();
    }
    assert.ok(
      expected.every((n) => n > 0),
      `60 uniques should reach every server: ${expected}`,
    );
    assert.deepEqual(await queued(list, 'sel_bg'), expected);
  });

  test('without a unique, jobs are spread round-robin', async () => {
    const list = await servers(3);
    const c = track(new GearmanClient({ servers: list.map((s) => s.address) }));
    for (let i = 0; i < 30; i++) await c.submitBackground('sel_rr', `p${i}`);
    assert.deepEqual(await queued(list, 'sel_rr'), [10, 10, 10]);
    // ordered: everything to the first server
    const o = track(new GearmanClient({ servers: list.map((s) => s.address), selection: 'ordered' }));
    for (let i = 0; i < 5; i++) await o.submitBackground('sel_ord', `p${i}`);
    assert.deepEqual(await queued(list, 'sel_ord'), [5, 0, 0]);
  });

  test('a foreground unique submitted by two clients runs once, on its server', async () => {
    const list = await servers(2);
    const addresses = list.map((s) => s.address);
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const workers = await Promise.all(
      addresses.map((address) =>
        startRawWorker(address, ['sel_fg'], async (job, reply) => {
          await released;
          reply.complete(`done:${job.unique}@${address}`);
        }).then(track),
      ),
    );
    const c1 = track(new GearmanClient({ servers: addresses }));
    const c2 = track(new GearmanClient({ servers: [...addresses].reverse() }));
    const home = c1.serverFor('report-7');
    const first = c1.submit('sel_fg', 'x', { unique: 'report-7' });
    await waitFor(() => workers.some((w) => w.jobs.length === 1), { what: 'the job to start' });
    const second = c2.submit('sel_fg', 'x', { unique: 'report-7' });
    // The second submission is attached on the server (no new job) before the worker is released.
    await waitFor(
      async () => {
        const st = await adminStatus(home);
        return st.find((f) => f.name === 'sel_fg')?.running === 1;
      },
      { what: 'the running job' },
    );
    release();
    assert.equal((await first).toString(), `done:report-7@${home}`);
    assert.equal((await second).toString(), `done:report-7@${home}`);
    assert.equal(
      workers.reduce((n, w) => n + w.jobs.length, 0),
      1,
      'the job ran once',
    );
  });

  test('the picked server down: its jobs go to the next in hash order, and come back once it is up', async () => {
    const [a, b] = await servers(2);
    const c = track(new GearmanClient({ servers: [a!.address, b!.address] }));
    const homedOnA = (from: number, count: number) => {
      const out: string[] = [];
      for (let i = from; out.length < count; i++) if (c.serverFor(`k${i}`) === a!.address) out.push(`k${i}`);
      return out;
    };
    const [first, ...rest] = homedOnA(0, 6);
    assert.equal(c.serverOf(await c.submitBackground('sel_fo', 'x', { unique: first! })), a!.address);
    const portA = a!.port;
    await a!.close();
    for (const unique of rest) {
      const handle = await c.submitBackground('sel_fo', 'x', { unique });
      assert.equal(c.serverOf(handle), b!.address, `${unique} fails over to the other server`);
    }
    const health = c.serverHealth();
    assert.equal(health[0]!.connected, false);
    assert.ok(health[0]!.failures >= 1 && health[0]!.lastError, JSON.stringify(health));
    // A again, on the same port: new uniques of A go back to it once the client has reconnected.
    track(await startJobServer({ port: portA }));
    let i = 100;
    await waitFor(
      async () => {
        const [unique] = homedOnA(i++, 1);
        return c.serverOf(await c.submitBackground('sel_fo', 'x', { unique: unique! })) === a!.address;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'uniques of the restarted server to go back to it' },
    );
    assert.equal(c.serverHealth()[0]!.connected, true);
  });

  test('a server that dies with a unique job pending: the job is resubmitted to the next server', async () => {
    const [a, b] = await servers(2);
    track(await startRawWorker(a!.address, ['sel_die'], () => new Promise<void>(() => undefined)));
    track(await startRawWorker(b!.address, ['sel_die'], (job, r) => r.complete(`b:${job.unique}`)));
    const c = track(new GearmanClient({ servers: [a!.address, b!.address] }));
    let n = 0;
    while (c.serverFor(`d${n}`) !== a!.address) n++;
    const pending = c.submit('sel_die', 'x', { unique: `d${n}` });
    await waitFor(async () => (await adminStatus(a!.address)).some((f) => f.running === 1), { what: 'job on a' });
    await a!.close();
    assert.equal((await pending).toString(), `b:d${n}`);
  });

  test('gmsup submit hashes --unique to the same server as the library', async () => {
    const list = await servers(3);
    const addresses = list.map((s) => s.address);
    const c = track(new GearmanClient({ servers: addresses }));
    for (const unique of ['alpha', 'beta', 'gamma', 'delta']) {
      const r = await gmsup('submit', 'sel_cli', 'x', '-b', '-u', unique, '-s', addresses.join(','));
      assert.equal(r.status, 0, r.stderr);
      const home = list.findIndex((s) => s.address === c.serverFor(unique));
      const counts = await queued(list, 'sel_cli');
      assert.ok(counts[home]! >= 1, `${unique} expected on ${addresses[home]}: ${counts}`);
    }
    assert.deepEqual(
      (await queued(list, 'sel_cli')).reduce((x, y) => x + y),
      4,
    );
    const bad = await gmsup('submit', 'f', 'x', '--selection', 'random');
    assert.equal(bad.status, 64);
    assert.match(bad.stderr, /--selection must be balanced or ordered/);
  });
});
