// The same HTTP requests, byte for byte, to a real gearmand 1.1.20 with its HTTP plugin (`-r http`) and to
// gmsup's listener, in one run, with one set of workers registered on both. Where gearmand is correct the
// answers must match (status, X-Gearman-Command, Content-Length, body; handles, Server, Date, Connection,
// Keep-Alive and Content-Type legitimately differ); each deliberate difference is asserted on both sides
// and listed in docs/http.md.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminPriorityStatus, adminStatus } from '../../src/client/index.js';
import { type HttpListener, startHttpListener } from '../../src/http/index.js';
import { type JobServer, startJobServer } from '../../src/server/index.js';
import type { JobHandler } from '../../src/worker/index.js';
import { WorkerRuntime } from '../../src/worker/runtime.js';
import { skipUnless } from '../helpers/external.js';
import { canConnect, freePort, type RunningGearmand, startGearmand } from '../helpers/gearmand.js';
import { header, parseResponses, type RawResponse, rawExchange } from '../helpers/raw-http.js';
import { waitFor } from '../helpers/wait-for.js';

const skip = skipUnless('gearmand');

interface Target {
  name: 'gearmand' | 'gmsup';
  gearmanPort: number;
  httpPort: number;
}

/** Payload -> handle, as the workers saw them (to check the handles answered). */
const seenHandles = new Map<string, string>();

const FUNCTIONS: Record<string, [JobHandler, boolean]> = {
  echo: [(p) => p, false],
  httpfail: [
    (p, job) => {
      seenHandles.set(`${job.handle.startsWith('H:gmsup') ? 'gmsup' : 'gearmand'}:${p}`, job.handle);
      throw new Error('failed');
    },
    false,
  ],
  httpexc: [
    () => {
      throw new Error('boom');
    },
    true,
  ],
  httpdata: [
    (_p, job) => {
      job.data('chunk1');
      job.data('chunk2');
      return 'final';
    },
    false,
  ],
  httpstatus: [
    (_p, job) => {
      job.status(1, 2);
      return 'after-status';
    },
    false,
  ],
  httpwarn: [
    (_p, job) => {
      job.warning('careful');
      return 'after-warning';
    },
    false,
  ],
  httpbig: [(p) => '0123456789'.repeat(Number(p.toString())), false],
  slow: [
    async (p) => {
      await new Promise((r) => setTimeout(r, 400));
      return `slow:${p}`;
    },
    false,
  ],
};

const req = (method: string, path: string, body = '', headers: string[] = [], version = 'HTTP/1.1'): string =>
  `${method} ${path} ${version}\r\nHost: x\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}` +
  `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;

/** The fields compared between the two servers. */
function comparable(r: RawResponse) {
  return {
    status: r.status,
    command: header(r, 'x-gearman-command') ?? null,
    hasHandle: header(r, 'x-gearman-job-handle') !== undefined,
    contentLength: header(r, 'content-length') ?? null,
    body: r.body.toString('latin1'),
  };
}

async function one(t: Target, request: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  const ex = await rawExchange(t.httpPort, request, timeoutMs);
  const rs = parseResponses(ex.raw);
  assert.equal(rs.length, 1, `${t.name}: one response expected, got ${JSON.stringify(ex.raw.toString('latin1'))}`);
  return rs[0]!;
}

describe('HTTP: gmsup vs gearmand 1.1.20 -r http', { skip }, () => {
  let gearmand: RunningGearmand;
  let server: JobServer;
  let http: HttpListener;
  const workers: WorkerRuntime[] = [];
  const targets: Target[] = [];

  before(async () => {
    const gHttp = await freePort();
    gearmand = await startGearmand(['-r', 'http', '--http-port', String(gHttp)]);
    await waitFor(() => canConnect(gHttp), { what: "gearmand's HTTP port" });
    server = await startJobServer({ host: '127.0.0.1', port: 0, jobHandlePrefix: 'H:gmsup' });
    http = await startHttpListener({ host: '127.0.0.1', port: 0, token: null, gateway: server.local });
    targets.push({ name: 'gearmand', gearmanPort: gearmand.port, httpPort: gHttp });
    targets.push({ name: 'gmsup', gearmanPort: server.port, httpPort: http.port });
    const servers = targets.map((x) => `127.0.0.1:${x.gearmanPort}`);
    for (const [fn, [handler, exceptions]] of Object.entries(FUNCTIONS)) {
      const w = new WorkerRuntime({
        function: fn,
        servers,
        handler,
        concurrency: 4,
        timeoutMs: null,
        maxJobs: null,
        stopTimeoutMs: 1000,
        clientId: `compat:${fn}`,
        sendExceptions: exceptions,
      });
      w.start();
      workers.push(w);
    }
    for (const s of servers) {
      await waitFor(
        async () =>
          (await adminStatus(s)).filter((f) => f.availableWorkers > 0).length >= Object.keys(FUNCTIONS).length,
        { what: `workers registered on ${s}` },
      );
    }
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.force()));
    await http?.close();
    await server?.close();
    await gearmand?.stop();
  });

  const same: Array<[string, string | Buffer]> = [
    ['POST', req('POST', '/echo', 'hello')],
    ['PUT', req('PUT', '/echo', 'hello')],
    ['HTTP/1.0 request', req('POST', '/echo', 'hello', [], 'HTTP/1.0')],
    ['GET: empty workload', req('GET', '/echo')],
    ['GET: a body is ignored', req('GET', '/echo', 'abc')],
    ['lower-case header names', req('POST', '/echo', 'hi', ['x-gearman-priority: high'])],
    [
      'background with priority and unique',
      req('POST', '/echo', 'p', bg('X-Gearman-Priority: high', 'X-Gearman-Unique: j-42')),
    ],
    ['an exception the client did not ask for arrives as WORK_FAIL', req('POST', '/httpexc', 'x')],
    ['404 for an empty function name (status only: gmsup explains in the body)', req('POST', '/', 'x')],
    ['1,000,000-byte result', req('POST', '/httpbig', '100000')],
  ];
  function bg(...headers: string[]): string[] {
    return ['X-Gearman-Background: true', ...headers];
  }

  for (const [what, request] of same) {
    test(`same answer: ${what}`, async () => {
      const [g, m] = await Promise.all(targets.map((x) => one(x, request)));
      const statusOnly = what.startsWith('404');
      assert.deepEqual(
        statusOnly ? comparable(m!).status : comparable(m!),
        statusOnly ? comparable(g!).status : comparable(g!),
      );
      // Deliberate: gearmand always answers HTTP/1.0 and closes; gmsup answers HTTP/1.1 (keep-alive capable).
      assert.equal(g!.version, 'HTTP/1.0');
      assert.equal(m!.version, 'HTTP/1.1');
    });
  }

  test('same answer: 200,000 random bytes echoed intact', async () => {
    const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256));
    const head = Buffer.from(
      `POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    for (const x of targets) {
      const r = await one(x, Buffer.concat([head, body]));
      assert.equal(header(r, 'x-gearman-command'), 'WORK_COMPLETE', x.name);
      assert.ok(r.body.equals(body), x.name);
    }
  });

  test('same behaviour: a repeated unique, and the explicit unique "-", share one background job', async () => {
    for (const x of targets) {
      const handleOf = async (body: string, unique: string) =>
        header(await one(x, req('POST', '/nowork', body, bg(`X-Gearman-Unique: ${unique}`))), 'x-gearman-job-handle');
      assert.equal(await handleOf('aa', `u1-${x.name}`), await handleOf('bb', `u1-${x.name}`), x.name);
      assert.equal(await handleOf(`same-${x.name}`, '-'), await handleOf(`same-${x.name}`, '-'), x.name);
    }
  });

  test("same behaviour: concurrent foreground requests with one unique get the first body's result", async () => {
    for (const x of targets) {
      const u = `X-Gearman-Unique: dup-${x.name}`;
      const a = one(x, req('POST', '/slow', 'A', [u]));
      await new Promise((r) => setTimeout(r, 100)); // A's job exists before B arrives (both servers)
      const b = one(x, req('POST', '/slow', 'B', [u]));
      const [ra, rb] = await Promise.all([a, b]);
      assert.deepEqual([ra.body.toString(), rb.body.toString()], ['slow:A', 'slow:A'], x.name);
      assert.equal(header(ra, 'x-gearman-job-handle'), header(rb, 'x-gearman-job-handle'));
    }
  });

  test('same behaviour: priorities land in the same queues (prioritystatus)', async () => {
    for (const x of targets) {
      for (const p of ['high', 'HIGH', 'low', 'normal']) {
        await one(x, req('POST', '/prio', p, bg(`X-Gearman-Priority: ${p}`)));
      }
    }
    const [g, m] = await Promise.all(
      targets.map(async (x) =>
        (await adminPriorityStatus(`127.0.0.1:${x.gearmanPort}`)).find((f) => f.name === 'prio'),
      ),
    );
    assert.deepEqual(m, g);
    assert.deepEqual([g?.high, g?.normal, g?.low], [2, 1, 1]);
  });

  // Deliberate differences: each asserts gearmand's documented behaviour and gmsup's answer.
  const [G, M] = [0, 1];
  const at = (i: number) => targets[i]!;

  test('differs: WORK_FAIL keeps its whole job handle (gearmand drops the last character)', async () => {
    const g = await one(at(G), req('POST', '/httpfail', 'f1'));
    const m = await one(at(M), req('POST', '/httpfail', 'f1'));
    assert.deepEqual(comparable(m), comparable(g));
    assert.equal(header(m, 'x-gearman-job-handle'), seenHandles.get('gmsup:f1'));
    assert.equal(header(g, 'x-gearman-job-handle'), seenHandles.get('gearmand:f1')?.slice(0, -1));
  });

  test('differs: WORK_DATA, WORK_STATUS, WORK_WARNING do not corrupt or replace the result', async () => {
    const gd = await rawExchange(at(G).httpPort, req('POST', '/httpdata', 'x'));
    assert.ok(gd.raw.toString('latin1').startsWith('chunkchunk'), 'gearmand overwrites its status line');
    const md = await one(at(M), req('POST', '/httpdata', 'x'));
    assert.deepEqual([md.status, md.body.toString()], [200, 'chunk1chunk2final']);
    const gs = await one(at(G), req('POST', '/httpstatus', 'x'));
    assert.deepEqual([header(gs, 'x-gearman-command'), gs.body.length], ['WORK_STATUS', 0]);
    const ms = await one(at(M), req('POST', '/httpstatus', 'x'));
    assert.deepEqual([header(ms, 'x-gearman-command'), ms.body.toString()], ['WORK_COMPLETE', 'after-status']);
    const gw = await one(at(G), req('POST', '/httpwarn', 'x'));
    assert.deepEqual([header(gw, 'x-gearman-command'), gw.body.toString()], ['WORK_WARNING', 'careful']);
    const mw = await one(at(M), req('POST', '/httpwarn', 'x'));
    assert.deepEqual([header(mw, 'x-gearman-command'), mw.body.toString()], ['WORK_COMPLETE', 'after-warning']);
  });

  test('differs: other methods get 405 with Allow (gearmand closes without a reply; HEAD runs the job)', async () => {
    const gdel = await rawExchange(at(G).httpPort, req('DELETE', '/echo'));
    assert.deepEqual([gdel.raw.length, gdel.closed], [0, true]);
    const mdel = await one(at(M), req('DELETE', '/echo'));
    assert.deepEqual([mdel.status, header(mdel, 'allow')], [405, 'GET, POST, PUT']);
    const ghead = await one(at(G), req('HEAD', '/echo'));
    assert.deepEqual([ghead.status, header(ghead, 'x-gearman-command')], [200, undefined]);
    const mhead = await rawExchange(at(M).httpPort, req('HEAD', '/echo'));
    assert.match(mhead.raw.toString('latin1'), /^HTTP\/1\.1 405 /);
  });

  test('differs: bad values are a 400 (gearmand: a long unique is "200 OK" ERROR, bad priority NORMAL)', async () => {
    const long = `X-Gearman-Unique: ${'u'.repeat(65)}`;
    const g = await one(at(G), req('POST', '/echo', 'x', [long]));
    assert.deepEqual(
      [g.status, header(g, 'x-gearman-command'), header(g, 'x-gearman-job-handle')],
      [200, 'ERROR', 'ARGUMENT_TOO_LARGE'],
    );
    assert.equal((await one(at(M), req('POST', '/echo', 'x', [long]))).status, 400);
    const urgent = 'X-Gearman-Priority: urgent';
    assert.equal(header(await one(at(G), req('POST', '/echo', 'x', [urgent])), 'x-gearman-command'), 'WORK_COMPLETE');
    assert.equal((await one(at(M), req('POST', '/echo', 'x', [urgent]))).status, 400);
  });

  test('differs: no default unique, so identical bodies are separate jobs (gearmand: unique "-")', async () => {
    const handles = async (x: Target) => {
      const h = async () => header(await one(x, req('POST', '/nowork2', 'same-body', bg())), 'x-gearman-job-handle');
      return [await h(), await h()];
    };
    const [g1, g2] = await handles(at(G));
    assert.equal(g1, g2);
    const [m1, m2] = await handles(at(M));
    assert.notEqual(m1, m2);
  });

  test('differs: a foreground job nobody serves ends with 504 at the timeout (gearmand never answers)', async () => {
    const g = await rawExchange(at(G).httpPort, req('POST', '/nobody', 'x'), 1500);
    assert.deepEqual([g.raw.length, g.closed], [0, false]);
    const m = await one(at(M), req('POST', '/nobody', 'x', ['X-Gearman-Timeout: 0.5']));
    assert.equal(m.status, 504);
    assert.match(header(m, 'x-gearman-job-handle') ?? '', /^H:gmsup:\d+$/);
  });

  test('differs: the query string is not part of the function name; the path is not percent-decoded', async () => {
    for (const x of targets) await one(x, req('POST', '/my%20fn?x=1', 'q', bg()));
    const names = await Promise.all(
      targets.map(async (x) =>
        (await adminStatus(`127.0.0.1:${x.gearmanPort}`)).map((f) => f.name).filter((n) => n.startsWith('my')),
      ),
    );
    assert.deepEqual(names, [['my%20fn?x=1'], ['my%20fn']]);
  });

  test('differs: keep-alive and chunked bodies work (gearmand: one answer per connection, no chunked)', async () => {
    const twice =
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab' +
      'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\ncd';
    const g = parseResponses((await rawExchange(at(G).httpPort, twice)).raw);
    assert.deepEqual(
      g.map((r) => r.body.toString()),
      ['ab'],
    );
    const m = parseResponses((await rawExchange(at(M).httpPort, twice)).raw);
    assert.deepEqual(
      m.map((r) => r.body.toString()),
      ['ab', 'cd'],
    );
    const chunked =
      'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n';
    const gc = await rawExchange(at(G).httpPort, chunked);
    assert.equal(
      parseResponses(gc.raw).some((r) => r.body.toString() === 'wxyz'),
      false,
    );
    assert.equal((await one(at(M), chunked)).body.toString(), 'wxyz');
  });
});
