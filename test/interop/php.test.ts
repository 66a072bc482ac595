// Interop with PHP's gearman extension (libgearman): GearmanClient doNormal/doHigh/doLow,
// doBackground + jobStatus, addTask + runTasks with every callback, failures and exceptions, against a
// PHP GearmanWorker; and gmsup's client against the PHP worker. Same scenarios on gearmand and embedded.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { GearmanClient, JobFailedError } from '../../src/client/index.js';
import { skipUnless } from '../helpers/external.js';
import { targets, type RunningServer } from '../integration/client/targets.js';
import { runProgram, startProgram, waitForWorkers, type LongProgram } from './programs.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/php/', import.meta.url));

for (const target of targets) {
  describe(`PHP gearman extension on ${target.name}`, { skip: target.skip || skipUnless('phpGearman') }, () => {
    let server: RunningServer;
    let worker: LongProgram;
    const clients: GearmanClient[] = [];
    const php = async (...args: string[]) => {
      const r = await runProgram('php', [`${FIXTURES}client.php`, String(server.port), ...args], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, `php client ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    const gmsup = () => {
      const c = new GearmanClient({ servers: [server.address] });
      clients.push(c);
      return c;
    };
    before(async () => {
      server = await target.start();
      worker = startProgram('php', [`${FIXTURES}worker.php`, String(server.port)]);
      await waitForWorkers(server.address, 'php_exc');
    });
    after(async () => {
      for (const c of clients) await c.close();
      await worker?.stop();
      await server?.stop();
    });

    test('doNormal, doHigh, doLow', async () => {
      const out = await php('do', 'php_rev', 'hello php');
      for (const m of ['doNormal', 'doHigh', 'doLow']) assert.deepEqual(out[m], { result: 'php olleh', rc: 0 }, m);
    });

    test('doBackground / doHighBackground / doLowBackground + jobStatus', async () => {
      const out = await php('background', 'php_queued');
      assert.equal(out.handles.length, 3);
      assert.equal(new Set(out.handles).size, 3);
      assert.deepEqual(out.status, [
        [true, false, 0, 0],
        [true, false, 0, 0],
        [true, false, 0, 0],
      ]);
      assert.deepEqual(out.unknown, [false, false, 0, 0]);
    });

    test('addTask + runTasks: created, status, data, warning and complete callbacks per task', async () => {
      const out = await php('tasks', 'php_progress', '3');
      assert.equal(out.ok, true);
      for (let i = 0; i < 3; i++) {
        const mine = out.events.filter((e: unknown[]) => e[1] === `u${i}`);
        assert.deepEqual(mine, [
          ['created', `u${i}`],
          ['status', `u${i}`, 1, 2],
          ['data', `u${i}`, 'chunk1'],
          ['warning', `u${i}`, 'careful'],
          ['status', `u${i}`, 2, 2],
          ['complete', `u${i}`, `done:p${i}`],
        ]);
      }
    });

    const failCase =
      'sendFail -> GEARMAN_WORK_FAIL; sendException -> GEARMAN_WORK_EXCEPTION and the exception callback';
    test(failCase, async () => {
      const fail = await php('fail', 'php_fail');
      assert.equal(fail.work_fail, true);
      const exc = await php('fail', 'php_exc');
      assert.equal(exc.work_exception, true);
      const tasks = await php('tasks', 'php_exc', '1');
      assert.deepEqual(tasks.events, [
        ['created', 'u0'],
        ['exception', 'u0', 'php boom: p0'],
      ]);
    });

    test('gmsup client -> PHP worker: result, callbacks, fail, exception with and without the option', async () => {
      const seen: string[] = [];
      const r = await gmsup().submit('php_progress', 'z', {
        onStatus: (n, d) => seen.push(`${n}/${d}`),
        onData: (b) => seen.push(`data:${b}`),
        onWarning: (b) => seen.push(`warning:${b}`),
      });
      assert.equal(r.toString(), 'done:z');
      assert.deepEqual(seen, ['1/2', 'data:chunk1', 'warning:careful', '2/2']);
      const one = gmsup();
      const rev = await Promise.all(Array.from({ length: 50 }, (_, i) => one.submit('php_rev', `n${i}`)));
      for (const [i, b] of rev.entries()) assert.equal(b.toString(), [...`n${i}`].reverse().join(''));
      await assert.rejects(
        gmsup().submit('php_fail', 'x'),
        (e) => e instanceof JobFailedError && e.exception === undefined,
      );
      await assert.rejects(
        gmsup().submit('php_exc', 'q', { exceptions: true }),
        (e) => e instanceof JobFailedError && e.exception?.toString() === 'php boom: q',
      );
      await assert.rejects(
        gmsup().submit('php_exc', 'q'),
        (e) => e instanceof JobFailedError && e.exception === undefined,
      );
    });
  });
}
