// Admin helpers against real servers: status/workers parsing, one-line values, ERR passed through.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminClient,
  GearmanClient,
  adminCommand,
  adminStatus,
  adminWorkers,
  adminValue,
} from '../../../src/client/index.js';
import { GmsupError } from '../../../src/shared/errors.js';
import { startRawWorker, type RawWorker } from './raw-worker.js';
import { targets, type RunningServer } from './targets.js';

for (const target of targets) {
  describe(`admin on ${target.name}`, { skip: target.skip }, () => {
    let server: RunningServer;
    let worker: RawWorker;
    let client: GearmanClient;
    before(async () => {
      server = await target.start();
      worker = await startRawWorker(server.address, ['adm_w'], (_j, r) => r.complete('ok'));
      client = new GearmanClient({ servers: [server.address] });
      await client.submitBackground('adm_q', 'queued-1');
      await client.submitBackground('adm_q', 'queued-2', { priority: 'high' });
    });
    after(async () => {
      await client?.close();
      await worker?.close();
      await server?.stop();
    });

    test('status lists functions with counts', async () => {
      const st = await adminStatus(server.address);
      assert.deepEqual(
        st.find((s) => s.name === 'adm_q'),
        { name: 'adm_q', total: 2, running: 0, availableWorkers: 0 },
      );
      assert.deepEqual(
        st.find((s) => s.name === 'adm_w'),
        { name: 'adm_w', total: 0, running: 0, availableWorkers: 1 },
      );
    });

    test('workers lists the worker with its function', async () => {
      const ws = await adminWorkers(server.address);
      assert.ok(
        ws.some((w) => w.functions.includes('adm_w') && w.ip === '127.0.0.1'),
        JSON.stringify(ws),
      );
    });

    test('raw replies: lists end with ".", values with OK, errors as ERR text', async () => {
      const jobs = await adminCommand(server.address, 'show jobs');
      assert.equal(jobs.split('\n').filter((l) => l.includes('\t')).length, 2);
      assert.ok(jobs.endsWith('.\n'));
      assert.match(await adminValue(server.address, 'version'), /^\d+\.\d+/);
      assert.match(await adminValue(server.address, 'getpid'), /^\d+$/);
      assert.match(await adminCommand(server.address, 'bogus'), /^ERR UNKNOWN_COMMAND/);
      assert.equal(await adminCommand(server.address, 'show foo'), 'ERR UNKNOWN_SHOW_ARGUMENTS\n');
      const pr = await new AdminClient(server.address).priorityStatus();
      assert.deepEqual(
        pr.find((p) => p.name === 'adm_q'),
        { name: 'adm_q', high: 1, normal: 1, low: 0, availableWorkers: 0 },
      );
    });

    test('unreachable server: SERVER_UNREACHABLE', async () => {
      await assert.rejects(
        adminStatus('127.0.0.1:1'),
        (e) => e instanceof GmsupError && e.code === 'SERVER_UNREACHABLE',
      );
    });
  });
}
