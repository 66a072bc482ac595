// dist/worker/main.js run the daemon's way (IPC, own process group): init handshake, init failures,
// SIGTERM during a job (it completes), SIGKILL during a job (another worker completes it), max_jobs,
// and exiting on its own when the parent's IPC channel goes away.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GearmanClient, adminStatus } from '../../../src/client/index.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FIXTURES, SERVER_KINDS, WorkerChild, spec, startServer, type TestServer } from './helpers.js';

for (const { kind, skip } of SERVER_KINDS) {
  describe(`worker process on ${kind}`, { skip }, () => {
    let server: TestServer;
    let client: GearmanClient;
    before(async () => {
      server = await startServer(kind);
      client = new GearmanClient({ servers: [server.address] });
    });
    after(async () => {
      client.close();
      await server.stop();
    });
    const moduleSpec = (fn: string, file: string, extra = {}) =>
      spec({ function: fn, servers: [server.address], modulePath: join(FIXTURES, file), ...extra });

    test('init handshake: worker:ready, registered with the client id, serves jobs', async (t) => {
      const w = WorkerChild.start(t);
      w.init(moduleSpec('echoProc', 'echo.ts'), 'prog:echo:0:test');
      assert.deepEqual((await w.waitMessage('worker:ready')).functions, ['echoProc']);
      const state = await w.waitMessage('server:state');
      assert.deepEqual([state.server, state.connected, state.registered], [server.address, true, true]);
      assert.equal((await client.submit('echoProc', 'via ipc')).toString(), 'via ipc');
      const end = await w.waitMessage('job:end');
      assert.equal(end.function, 'echoProc');
      assert.equal(end.ok, true);
    });

    test('a module that throws on load: worker:init-failed, exit 1', async (t) => {
      const w = WorkerChild.start(t);
      w.init(moduleSpec('crash', 'crash-on-start.ts'));
      const failed = await w.waitMessage('worker:init-failed');
      assert.equal(failed.error.code, 'SPAWN_ERROR');
      assert.match(failed.error.message, /refusing to load/);
      assert.equal((await w.waitExit()).code, 1);
    });

    test('a module without a handler: init-failed naming the file', async (t) => {
      const w = WorkerChild.start(t);
      w.init(moduleSpec('nothing', 'no-handler.ts'));
      assert.match(
        (await w.waitMessage('worker:init-failed')).error.message,
        /no-handler\.ts has no handler for function "nothing"/,
      );
      assert.equal((await w.waitExit()).code, 1);
    });

    test('SIGTERM during a job: the job completes, then the worker exits 0', async (t) => {
      const w = WorkerChild.start(t);
      w.init(moduleSpec('slowTerm', 'slow.ts'));
      await w.waitMessage('worker:ready');
      await w.waitMessage('server:state');
      const result = client.submit('slowTerm', '600');
      await w.waitMessage('job:start');
      process.kill(w.pid, 'SIGTERM');
      assert.equal((await result).toString(), 'done:600');
      assert.equal((await w.waitExit()).code, 0);
      assert.ok(w.messages.some((m) => m.type === 'worker:draining'));
      assert.ok(w.messages.some((m) => m.type === 'worker:exiting' && m.reason === 'stopped'));
    });

    test('SIGKILL during a job: the server re-queues it and another worker completes it', async (t) => {
      const log = join(tempDir(t), 'slow.log');
      const first = WorkerChild.start(t, { SLOW_LOG: log });
      first.init(moduleSpec('slowKill', 'slow.ts'));
      await first.waitMessage('server:state');
      const result = client.submit('slowKill', '300');
      await first.waitMessage('job:start');
      process.kill(-first.pid, 'SIGKILL');
      await first.waitExit();
      const second = WorkerChild.start(t, { SLOW_LOG: log });
      second.init(moduleSpec('slowKill', 'slow.ts'));
      assert.equal((await result).toString(), 'done:300');
      const starts = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => Number(l.split(' ')[1]));
      assert.deepEqual(starts, [first.pid, second.pid]);
    });

    test('max_jobs: exits cleanly after N jobs and takes no more', async (t) => {
      const w = WorkerChild.start(t);
      w.init(moduleSpec('echoMax', 'echo.ts', { maxJobs: 2 }));
      await w.waitMessage('server:state');
      const results = [client.submit('echoMax', '1'), client.submit('echoMax', '2')];
      assert.deepEqual((await Promise.all(results)).map(String), ['1', '2']);
      assert.equal((await w.waitExit()).code, 0);
      assert.ok(w.messages.some((m) => m.type === 'worker:exiting' && m.reason === 'max-jobs'));
      assert.equal(w.messages.filter((m) => m.type === 'job:end').length, 2);
    });

    test('worker:stop drains; parent gone (IPC disconnect) makes an idle worker exit on its own', async (t) => {
      const a = WorkerChild.start(t);
      a.init(moduleSpec('echoStop', 'echo.ts'));
      await a.waitMessage('worker:ready');
      a.send({ type: 'worker:stop', reason: 'test' });
      assert.equal((await a.waitExit()).code, 0);

      const b = WorkerChild.start(t);
      b.init(moduleSpec('echoOrphan', 'echo.ts'));
      await b.waitMessage('server:state');
      b.child.disconnect();
      assert.equal((await b.waitExit(5000)).code, 0);
      await waitFor(
        async () => !(await adminStatus(server.address)).some((s) => s.name === 'echoOrphan' && s.availableWorkers > 0),
      );
    });
  });
}
