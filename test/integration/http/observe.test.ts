// /metrics scraped and parsed strictly after known traffic (names, types, HELP, conventions, values
// equal to what the server did), /status of a bare server, and /healthz flipping to 503 when the
// server stops accepting jobs (`shutdown graceful` with a job still running).

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { adminCommand, GearmanClient } from '../../../src/client/index.js';
import { type ParsedFamily, parseExposition, sampleValue } from '../../helpers/prom-text.js';
import { waitFor } from '../../helpers/wait-for.js';
import { gate, startRig } from './harness.js';

const BASE_UNITS = new RegExp(
  [
    '_(seconds|bytes|ratio|total|info)$',
    '_(jobs|workers|accepting|healthy|writes|instances|servers|reachable|state|in_flight)$',
    '^gmsup_connections$',
  ].join('|'),
);

function checkConventions(families: Map<string, ParsedFamily>): void {
  for (const f of families.values()) {
    assert.ok(f.name.startsWith('gmsup_') || f.name.startsWith('process_'), `${f.name}: prefix`);
    assert.ok(f.help !== null && f.help.length > 10, `${f.name}: HELP`);
    assert.notEqual(f.type, 'untyped', `${f.name}: TYPE`);
    assert.equal(f.type === 'counter', f.name.endsWith('_total'), `${f.name}: _total iff counter`);
    assert.ok(BASE_UNITS.test(f.name), `${f.name}: a base unit or a count`);
    assert.ok(!/_(milliseconds|ms|kb|mb|percent)(_|$)/.test(f.name), `${f.name}: base units only`);
  }
}

describe('HTTP observability', () => {
  test('/metrics: strict parse, conventions, and values equal to the traffic sent', async (t) => {
    const rig = await startRig(t);
    await rig.worker('ok', async (p) => {
      await new Promise((r) => setTimeout(r, 30));
      return p;
    });
    await rig.worker('bad', () => {
      throw new Error('no');
    });
    const sends: Array<[string, string, Record<string, string>]> = [];
    for (let i = 0; i < 5; i++) sends.push(['ok', `h${i}`, { 'X-Gearman-Priority': 'high' }]);
    for (let i = 0; i < 4; i++) sends.push(['ok', `n${i}`, {}]);
    for (let i = 0; i < 3; i++) sends.push(['bad', `b${i}`, { 'X-Gearman-Priority': 'low' }]);
    for (const [fn, body, headers] of sends) await fetch(`${rig.base}/${fn}`, { method: 'POST', body, headers });
    await fetch(`${rig.base}/v1/jobs/bad?exceptions=true`, { method: 'POST', body: 'e' });
    // Two background jobs nobody serves, and a binary client attached as a plain client.
    await fetch(`${rig.base}/v1/jobs/idle?background=true`, { method: 'POST', body: '1' });
    await fetch(`${rig.base}/v1/jobs/idle?background=true&priority=low`, { method: 'POST', body: '2' });
    const client = new GearmanClient({ servers: [rig.server.address] });
    t.after(() => client.close());
    await client.submit('ok', 'via-binary');

    const r = await fetch(`${rig.base}/metrics`);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const f = parseExposition(await r.text());
    checkConventions(f);
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(f, name, labels);
    assert.equal(v('gmsup_jobs_submitted_total', { function: 'ok', priority: 'high' }), 5);
    assert.equal(v('gmsup_jobs_submitted_total', { function: 'ok', priority: 'normal' }), 5);
    assert.equal(v('gmsup_jobs_completed_total', { function: 'ok', priority: 'high' }), 5);
    assert.equal(v('gmsup_jobs_completed_total', { function: 'ok', priority: 'normal' }), 5);
    // gmsup workers send WORK_EXCEPTION to gmsup servers; clients that did not ask get WORK_FAIL.
    assert.equal(v('gmsup_jobs_exceptions_total', { function: 'bad', priority: 'low' }), 3);
    assert.equal(v('gmsup_jobs_exceptions_total', { function: 'bad', priority: 'normal' }), 1);
    assert.equal(v('gmsup_jobs_failed_total', { function: 'bad', priority: 'low' }), 0);
    assert.equal(v('gmsup_function_queued_jobs', { function: 'idle', priority: 'normal' }), 1);
    assert.equal(v('gmsup_function_queued_jobs', { function: 'idle', priority: 'low' }), 1);
    assert.equal(v('gmsup_function_workers', { function: 'ok' }), 1);
    assert.equal(v('gmsup_function_running_jobs', { function: 'ok' }), 0);
    assert.equal(v('gmsup_job_duration_seconds_count', { function: 'ok' }), 10);
    assert.equal(v('gmsup_job_duration_seconds_bucket', { function: 'ok', le: '0.025' }), 0, 'each took >= 30 ms');
    const sum = v('gmsup_job_duration_seconds_sum', { function: 'ok' });
    assert.ok(sum >= 0.29 && sum < 10, `duration sum ${sum}`);
    assert.equal(v('gmsup_connections', { kind: 'worker' }), 2);
    assert.equal(v('gmsup_connections', { kind: 'client' }), 1);
    assert.equal(v('gmsup_connections', { kind: 'http' }), 0);
    assert.equal(v('gmsup_http_requests_total', { route: 'submit', code: '200' }), 12);
    assert.equal(v('gmsup_http_requests_total', { route: 'v1_submit', code: '202' }), 2);
    assert.equal(v('gmsup_server_accepting'), 1);
    assert.ok(v('process_resident_memory_bytes') > 1e6);
    assert.equal(f.has('gmsup_store_healthy'), false, 'no store families without a store status');

    // A connection is counted as admin once it sent a text command (kept open while scraping).
    const admin = net.connect(rig.server.port, '127.0.0.1');
    t.after(() => admin.destroy());
    admin.write('version\n');
    await new Promise((resolve) => admin.once('data', resolve));
    const f2 = parseExposition(await (await fetch(`${rig.base}/metrics`)).text());
    assert.equal(sampleValue(f2, 'gmsup_connections', { kind: 'admin' }), 1);
  });

  test('/status of a bare server: functions with queues by priority, connections, store', async (t) => {
    const rig = await startRig(t);
    await fetch(`${rig.base}/v1/jobs/idle?background=true&priority=high`, { method: 'POST', body: '1' });
    const s = (await (await fetch(`${rig.base}/status`)).json()) as Record<string, unknown> & {
      functions: unknown[];
      server: { accepting: boolean; handlePrefix: string };
    };
    assert.equal(s.server.accepting, true);
    assert.equal(s.server.handlePrefix, 'H:test');
    assert.deepEqual(s.functions, [
      {
        function: 'idle',
        queued: 1,
        queuedByPriority: { high: 1, normal: 0, low: 0 },
        running: 0,
        availableWorkers: 0,
      },
    ]);
    assert.deepEqual(s.connections, { client: 0, worker: 0, admin: 0, http: 0 });
    assert.equal(s.store, null);
  });

  test('/healthz: 200 while accepting; 503 with a reason (and submissions 503) once shutting down', async (t) => {
    const rig = await startRig(t);
    const release = gate();
    await rig.worker('hold', async () => {
      await release.promise;
      return 'held';
    });
    const ok = await fetch(`${rig.base}/healthz`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { status: 'ok', accepting: true, store: null, reason: null });
    const running = fetch(`${rig.base}/hold`, { method: 'POST', body: 'x' });
    await waitFor(() => rig.server.local.functions().find((f) => f.name === 'hold' && f.running === 1), {
      what: 'job running',
    });
    assert.equal(await adminCommand(rig.server.address, 'shutdown graceful'), 'OK\n');
    const down = await fetch(`${rig.base}/healthz`);
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('retry-after'), '1');
    const body = (await down.json()) as { status: string; reason: string };
    assert.equal(body.status, 'unavailable');
    assert.match(body.reason, /shutting down/);
    const refused = await fetch(`${rig.base}/v1/jobs/hold`, { method: 'POST', body: 'y' });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    release.open();
    assert.equal(await (await running).text(), 'held', 'the running job still finished');
    await rig.server.closed;
  });
});
