// The HTTP listener as users start it: `gmsup server --http` (refused without a token on a non-loopback
// address, exit 2), and the daemon with `server.http` in its workers file (/status is the Snapshot that
// `gmsup status --json` prints, /metrics adds the worker instances).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Snapshot } from '../../../src/control/snapshot.js';
import { freePort } from '../../helpers/gearmand.js';
import { parseExposition, sampleValue } from '../../helpers/prom-text.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN, fixture, startDaemon, waitAllRegistered, writeConfig } from '../daemon/daemon-harness.js';

const TOKEN = 'processes-test-token-42';

describe('gmsup server --http', () => {
  test('a non-loopback listen without a token, or with a short one, exits 2 before opening anything', () => {
    const env = { ...process.env, GMSUP_HTTP_TOKEN: '' };
    const r = spawnSync(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--http', '0.0.0.0:0'], {
      encoding: 'utf8',
      env,
      timeout: 30_000,
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /refusing to listen for HTTP on 0\.0\.0\.0 without a token/);
    assert.equal(r.stdout, '', 'nothing was started');
    const short = spawnSync(
      process.execPath,
      [BIN, 'server', '--listen', '127.0.0.1:0', '--http', '127.0.0.1:0', '--http-token', 'abc'],
      { encoding: 'utf8', env, timeout: 30_000 },
    );
    assert.equal(short.status, 2);
    assert.match(short.stderr, /at least 16/);
  });

  test('serves with the token from GMSUP_HTTP_TOKEN and exits 0 on SIGTERM', async (t) => {
    const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--http', '0.0.0.0:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GMSUP_HTTP_TOKEN: TOKEN },
    });
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const m = await waitFor(() => /http listening on 0\.0\.0\.0:(\d+)/.exec(out), { what: 'http listening line' });
    const url = `http://127.0.0.1:${m[1]}/healthz`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200);
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });
});

describe('the daemon with server.http', () => {
  test('a non-loopback server.http without a token: gmsup start exits 2 with the file named', (t) => {
    const dir = tempDir(t, 'gmsup-http-');
    const file = join(dir, 'workers.yaml');
    writeConfig(file, `server:\n  listen: 127.0.0.1:0\n  http: 0.0.0.0:0\nworkers: {}\n`);
    const r = spawnSync(process.execPath, [BIN, 'start', file], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GMSUP_HTTP_TOKEN: '' },
      timeout: 30_000,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /workers\.yaml: server\.http 0\.0\.0\.0:0: refusing to listen for HTTP/);
  });

  test('/status is the daemon Snapshot, /metrics has the instances, and jobs submitted over HTTP run', async (t) => {
    const port = await freePort();
    const d = await startDaemon(
      t,
      `
server:
  listen: 127.0.0.1:0
  http: 127.0.0.1:${port}
  http_token: ${TOKEN}
  http_timeout: 10s
workers:
  echo:
    module: ${fixture('echo.mjs')}
    instances: 2
`,
    );
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const base = `http://127.0.0.1:${port}`;
    const snap = await waitAllRegistered(d);
    const pids = new Set(snap.instances.map((i) => String(i.pid)));
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const r = await fetch(`${base}/echo`, { method: 'POST', body: `job-${i}`, headers: auth });
        return [r.status, await r.text()] as const;
      }),
    );
    answers.forEach(([status, text], i) => {
      assert.equal(status, 200);
      const [pid, payload] = text.split(':');
      assert.ok(pids.has(pid!), `answered by an instance of the daemon: ${text}`);
      assert.equal(payload, `job-${i}`);
    });
    const viaHttp = (await (await fetch(`${base}/status`, { headers: auth })).json()) as Snapshot;
    const cli = JSON.parse(d.cli('status', d.file, '--json').stdout) as Snapshot;
    for (const s of [viaHttp, cli]) {
      assert.deepEqual(Object.keys(s).sort(), Object.keys(snap).sort());
      assert.deepEqual(s.programs, snap.programs);
      assert.deepEqual(
        s.instances.map((i) => [i.name, i.index, i.pid, i.state]),
        snap.instances.map((i) => [i.name, i.index, i.pid, i.state]),
      );
      assert.equal(s.daemon.pid, d.proc.pid);
    }
    const f = parseExposition(await (await fetch(`${base}/metrics`, { headers: auth })).text());
    for (const i of [0, 1]) {
      assert.equal(
        sampleValue(f, 'gmsup_worker_instance_state', { worker: 'echo', index: String(i), state: 'RUNNING' }),
        1,
      );
      assert.equal(
        sampleValue(f, 'gmsup_worker_instance_state', { worker: 'echo', index: String(i), state: 'FATAL' }),
        0,
      );
      assert.equal(sampleValue(f, 'gmsup_worker_instance_registered_servers', { worker: 'echo', index: String(i) }), 1);
      assert.equal(sampleValue(f, 'gmsup_worker_instance_restarts_total', { worker: 'echo', index: String(i) }), 0);
    }
    assert.equal(sampleValue(f, 'gmsup_worker_desired_instances', { worker: 'echo' }), 2);
    assert.equal(sampleValue(f, 'gmsup_jobs_completed_total', { function: 'echo', priority: 'normal' }), 20);
    await waitFor(
      async () => {
        const m = parseExposition(await (await fetch(`${base}/metrics`, { headers: auth })).text());
        let done = 0;
        for (const i of ['0', '1'])
          done += sampleValue(m, 'gmsup_worker_instance_jobs_total', { worker: 'echo', index: i, outcome: 'done' });
        return done === 20;
      },
      { what: 'the instances reported their 20 jobs' },
    );
    d.proc.kill('SIGTERM');
    assert.equal(await d.exitCode, 0);
    await assert.rejects(fetch(`${base}/healthz`), 'the listener closed with the daemon');
  });
});
