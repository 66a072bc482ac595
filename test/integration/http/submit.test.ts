// HTTP submissions against a real embedded server with real workers: every job answered exactly once,
// coalescing, background + status by handle, exceptions, binary bodies, timeouts and disconnects that
// drop the queued job, and the 4xx answers for bad requests.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { waitFor } from '../../helpers/wait-for.js';
import { gate, startRig } from './harness.js';

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers });

describe('HTTP submission', () => {
  test('400 jobs over both APIs and three priorities: each answered with its own result, each run once', async (t) => {
    const rig = await startRig(t);
    const runs = new Map<string, number>();
    await rig.worker(
      'count',
      async (payload) => {
        const id = payload.toString();
        runs.set(id, (runs.get(id) ?? 0) + 1);
        await new Promise((r) => setImmediate(r));
        return `done:${id}`;
      },
      8,
    );
    const priorities = ['high', 'normal', 'low'];
    const answers = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const id = `fg-${i}`;
        const priority = priorities[i % 3]!;
        if (i % 2 === 0) {
          const r = await post(`${rig.base}/count`, id, { 'X-Gearman-Priority': priority });
          return [id, r.status, r.headers.get('x-gearman-command'), await r.text()];
        }
        const r = await post(`${rig.base}/v1/jobs/count?priority=${priority}`, id, { Accept: 'application/json' });
        const body = (await r.json()) as { status: string; result: string };
        return [id, r.status, body.status, body.result];
      }),
    );
    for (const [id, status, command, result] of answers) {
      assert.equal(status, 200, `${id}`);
      assert.ok(command === 'WORK_COMPLETE' || command === 'complete', `${id}: ${command}`);
      assert.equal(result, `done:${id}`);
    }
    const bg = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const r = await post(`${rig.base}/v1/jobs/count?background=true`, `bg-${i}`);
        return [r.status, ((await r.json()) as { handle: string }).handle] as const;
      }),
    );
    assert.ok(bg.every(([s]) => s === 202));
    assert.equal(new Set(bg.map(([, h]) => h)).size, 100, 'one job per background submission');
    await waitFor(() => runs.size === 400, { what: 'all 400 jobs run', timeoutMs: 20_000 });
    await waitFor(async () => (await rig.queued('count')) === 0, { what: 'queue empty' });
    assert.ok(
      [...runs.values()].every((n) => n === 1),
      'no job ran twice',
    );
  });

  test('the same X-Gearman-Unique shares one job; the second body is discarded, as in Gearman', async (t) => {
    const rig = await startRig(t);
    const release = gate();
    let ran = 0;
    await rig.worker('slow', async (payload) => {
      ran++;
      await release.promise;
      return `slow:${payload}`;
    });
    const a = post(`${rig.base}/slow`, 'A', { 'X-Gearman-Unique': 'dup-u' });
    await waitFor(async () => (await rig.queued('slow')) === 1, { what: 'first job queued' });
    const b = post(`${rig.base}/slow`, 'B', { 'X-Gearman-Unique': 'dup-u' });
    await waitFor(() => rig.server.local.metrics.of({ name: 'slow', counters: null }).coalesced[1] === 1, {
      what: 'second request coalesced',
    });
    release.open();
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.headers.get('x-gearman-job-handle'), rb.headers.get('x-gearman-job-handle'));
    assert.deepEqual([await ra.text(), await rb.text()], ['slow:A', 'slow:A']);
    assert.equal(ran, 1);
  });

  test('background job: 202, its status by handle while queued, 404 once done', async (t) => {
    const rig = await startRig(t);
    const r = await post(`${rig.base}/v1/jobs/later?background=true&priority=high&unique=u-1`, 'x');
    assert.equal(r.status, 202);
    const job = (await r.json()) as { handle: string; status: string };
    assert.equal(job.status, 'queued');
    const st = await fetch(`${rig.base}/v1/jobs/${encodeURIComponent(job.handle)}`);
    assert.equal(st.status, 200);
    assert.deepEqual(await st.json(), {
      handle: job.handle,
      status: 'queued',
      known: true,
      running: false,
      progress: { numerator: 0, denominator: 0 },
    });
    const byUnique = (await (await fetch(`${rig.base}/v1/jobs?unique=u-1`)).json()) as { status: string };
    assert.equal(byUnique.status, 'queued');
    let ran = 0;
    await rig.worker('later', () => {
      ran++;
      return 'ok';
    });
    await waitFor(async () => (await fetch(`${rig.base}/v1/jobs/${encodeURIComponent(job.handle)}`)).status === 404, {
      what: 'job finished and forgotten',
    });
    assert.equal(ran, 1);
  });

  test('failures: WORK_FAIL on gearmand routes unless exceptions are asked for; JSON says which', async (t) => {
    const rig = await startRig(t);
    await rig.worker('boom', () => {
      throw new Error('kaput');
    });
    const plain = await post(`${rig.base}/boom`, 'x');
    assert.deepEqual(
      [plain.status, plain.headers.get('x-gearman-command'), await plain.text()],
      [200, 'WORK_FAIL', ''],
    );
    const asked = await post(`${rig.base}/boom`, 'x', { 'X-Gearman-Exceptions': 'true' });
    assert.equal(asked.headers.get('x-gearman-command'), 'WORK_EXCEPTION');
    assert.match(await asked.text(), /kaput/);
    const v1 = await post(`${rig.base}/v1/jobs/boom`, 'x');
    assert.equal(v1.status, 502);
    const body = (await v1.json()) as { status: string; result: string };
    assert.equal(body.status, 'exception');
    assert.match(body.result, /kaput/);
  });

  test('binary workloads and results pass byte for byte; JSON carries them as base64', async (t) => {
    const rig = await startRig(t);
    await rig.worker('echo', (payload) => payload);
    const data = randomBytes(200_000);
    const r = await post(`${rig.base}/echo`, data);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(data));
    const j = (await (await post(`${rig.base}/v1/jobs/echo`, data)).json()) as { result: string; encoding: string };
    assert.equal(j.encoding, 'base64');
    assert.ok(Buffer.from(j.result, 'base64').equals(data));
    // GET submits an empty workload (gearmand's rule), whatever the body.
    const g = await fetch(`${rig.base}/echo`);
    assert.deepEqual([g.status, g.headers.get('content-length')], [200, '0']);
  });

  test('a foreground job nobody serves times out (504) and is dropped; so is one whose client hangs up', async (t) => {
    const rig = await startRig(t);
    const r = await post(`${rig.base}/nobody`, 'x', { 'X-Gearman-Timeout': '0.3' });
    assert.equal(r.status, 504);
    assert.match(r.headers.get('x-gearman-job-handle') ?? '', /^H:test:\d+$/);
    assert.equal(await rig.queued('nobody'), 0);
    const abort = new AbortController();
    const pending = post(`${rig.base}/nobody`, 'y').catch(() => 'aborted');
    void pending;
    const p2 = fetch(`${rig.base}/nobody`, { method: 'POST', body: 'z', signal: abort.signal }).catch(() => 'aborted');
    await waitFor(async () => (await rig.queued('nobody')) === 2, { what: 'two jobs queued' });
    abort.abort();
    assert.equal(await p2, 'aborted');
    await waitFor(async () => (await rig.queued('nobody')) === 1, { what: 'the abandoned job dropped' });
    await rig.http.close(); // cuts the other waiting request: its job is dropped too
    await waitFor(async () => (await rig.queued('nobody')) === 0, { what: 'the cut request dropped' });
  });
});

describe('HTTP bad requests', () => {
  test('each gets a clear 4xx', async (t) => {
    const rig = await startRig(t, { maxBodyBytes: 1024 });
    const cases: Array<[string, RequestInit, number, RegExp, Record<string, string>?]> = [
      ['/f', { method: 'POST', body: 'x', headers: { 'X-Gearman-Priority': 'urgent' } }, 400, /unknown priority/],
      ['/f', { method: 'POST', body: 'x', headers: { 'X-Gearman-Background': 'yes' } }, 400, /true or false/],
      ['/f', { method: 'POST', body: 'x', headers: { 'X-Gearman-Unique': 'u'.repeat(65) } }, 400, /at most 64/],
      ['/f', { method: 'POST', body: 'x', headers: { 'X-Gearman-Timeout': 'soon' } }, 400, /timeout/],
      ['/f', { method: 'POST', body: 'x'.repeat(1025) }, 413, /larger than the limit of 1024/],
      ['/f', { method: 'DELETE' }, 405, /not supported/, { allow: 'GET, POST, PUT' }],
      ['/f', { method: 'HEAD' }, 405, /^$/, { allow: 'GET, POST, PUT' }],
      ['/', { method: 'POST', body: 'x' }, 404, /no function/],
      ['/v1/jobs/', { method: 'POST', body: 'x' }, 404, /no function/],
      ['/v1/nothing', {}, 404, /no such endpoint/],
      ['/v1/jobs/f', { method: 'PUT', body: 'x' }, 405, /not supported/, { allow: 'GET, POST' }],
      ['/v1/jobs/f?priority=top', { method: 'POST', body: 'x' }, 400, /unknown priority/],
    ];
    for (const [path, init, status, text, headers] of cases) {
      const r = await fetch(`${rig.base}${path}`, init);
      const body = await r.text();
      assert.equal(r.status, status, `${init.method ?? 'GET'} ${path}: ${body}`);
      assert.match(body, text, `${init.method ?? 'GET'} ${path}`);
      for (const [k, v] of Object.entries(headers ?? {})) assert.equal(r.headers.get(k), v);
    }
    // A chunked body over the limit is cut off the same way.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(400));
        c.close();
      },
    });
    const chunked = await fetch(`${rig.base}/f`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.equal(await rig.queued('f'), 0, 'nothing was submitted');
  });

  test('bearer token: 401 with a Bearer challenge when missing or wrong, on every endpoint', async (t) => {
    const token = 'test-token-0123456789';
    const rig = await startRig(t, { token });
    await rig.worker('echo', (p) => p);
    for (const path of ['/echo', '/metrics', '/healthz', '/status', '/v1/jobs/echo']) {
      const none = await fetch(`${rig.base}${path}`, { method: path === '/echo' ? 'POST' : 'GET' });
      assert.equal(none.status, 401, path);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="gmsup"');
    }
    const wrong = await fetch(`${rig.base}/healthz`, { headers: { Authorization: 'Bearer test-token-0123456788' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const ok = await post(`${rig.base}/echo`, 'hi', { Authorization: `Bearer ${token}` });
    assert.deepEqual([ok.status, await ok.text()], [200, 'hi']);
  });
});
