// Module workers (in-process runtime) against both job servers, jobs submitted by our client, PHP's
// GearmanClient and the gearman CLI: results, JSON, named exports, exceptions, streaming, timeouts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import { adminStatus } from '../../../src/client/index.js';
import type { WorkerSpec } from '../../../src/worker/spec.js';
import { skipUnless } from '../../helpers/external.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FIXTURES, SERVER_KINDS, gearmanCliSubmit, phpSubmit, workerSuite } from './helpers.js';

for (const { kind, skip } of SERVER_KINDS) {
  describe(`module worker on ${kind}`, { skip }, () => {
    const suite = workerSuite(kind);
    const start = (fn: string, file: string, extra: Partial<WorkerSpec> = {}) =>
      suite.start({ function: fn, modulePath: join(FIXTURES, file), ...extra });

    test('default export echoes bytes; our client, PHP and the gearman CLI all get the result', async () => {
      await start('echo', 'echo.ts');
      assert.equal((await suite.client.submit('echo', 'hi there')).toString(), 'hi there');
      const bin = Buffer.from([0, 1, 2, 255, 0]);
      assert.deepEqual(await suite.client.submit('echo', bin), bin);
      if (!skipUnless('phpGearman')) {
        const php = await phpSubmit(suite.server.port, 'echo', 'from php');
        assert.deepEqual(php.events, [['complete', 'from php']]);
      }
      if (!skipUnless('gearmanCli'))
        assert.equal(await gearmanCliSubmit(suite.server.port, 'echo', 'from cli'), 'from cli');
    });

    test('named exports, one per function; objects are sent as JSON; .mjs loads natively', async () => {
      await start('reverse', 'reverse.ts');
      await start('meta', 'reverse.ts');
      await start('jsonResult', 'json-result.mjs');
      assert.equal((await suite.client.submit('reverse', 'abc')).toString(), 'cba');
      const meta = JSON.parse((await suite.client.submit('meta', 'xyz', { unique: 'u-1' })).toString());
      assert.equal(meta.function, 'meta');
      assert.equal(meta.unique, 'u-1');
      assert.equal(meta.bytes, 3);
      assert.match(meta.handle, /.+/);
      assert.deepEqual(JSON.parse((await suite.client.submit('jsonResult', 'four')).toString()), {
        length: 4,
        text: 'four',
      });
    });

    test('a thrown error reaches exception-aware clients as WORK_EXCEPTION text and ends the job', async () => {
      const w = await start('throws', 'throws.ts');
      await assert.rejects(
        suite.client.submit('throws', 'p1', { exceptions: true }),
        (err: Error & { exception?: Buffer }) => {
          assert.equal(err.exception?.toString(), 'boom: p1');
          return true;
        },
      );
      if (!skipUnless('phpGearman')) {
        const php = await phpSubmit(suite.server.port, 'throws', 'p2');
        assert.deepEqual(php.events, [['exception', 'boom: p2']]);
      }
      // No WORK_FAIL follows the exception: the job is gone from the server and the worker keeps going.
      await waitFor(
        async () => (await adminStatus(suite.server.address)).find((s) => s.name === 'throws' && s.total === 0),
        { what: 'throws queue empty' },
      );
      assert.ok(w.runtime!.jobsFailed >= 1);
      assert.equal(w.runtime!.jobsDone, 0);
    });

    test('a client without exceptions sees a plain failure; auto mode keeps the gearman CLI from hanging', async () => {
      await start('throws2', 'throws.ts', { exceptions: undefined });
      await assert.rejects(suite.client.submit('throws2', 'p3'), /failed/);
      // Auto: exception text only where the server is gmsup (gearmand would mangle it, see WorkerSpec).
      await assert.rejects(
        suite.client.submit('throws2', 'p4', { exceptions: true }),
        (err: Error & { exception?: Buffer }) => {
          assert.equal(err.exception?.toString() ?? '', kind === 'embedded' ? 'boom: p4' : '');
          return true;
        },
      );
      // The CLI prints nothing on stdout for a failed job; what matters is that it ends (it hangs on
      // gearmand's mangled `WORK_FAIL h\0`, which gearmanCliSubmit would report as a timeout).
      if (!skipUnless('gearmanCli')) assert.equal(await gearmanCliSubmit(suite.server.port, 'throws2', 'p5'), '');
    });

    test('status, data and warning stream to the client before the result', async () => {
      await start('statusStream', 'status-stream.ts');
      const seen: string[] = [];
      const result = await suite.client.submit('statusStream', 'x', {
        onStatus: (n, d) => seen.push(`status ${n}/${d}`),
        onData: (b) => seen.push(`data ${b.toString()}`),
        onWarning: (b) => seen.push(`warning ${b.toString()}`),
      });
      assert.equal(result.toString(), 'final:x');
      assert.deepEqual(seen, [
        'status 1/3',
        'data chunk-1;',
        'status 2/3',
        'warning careful',
        'data chunk-2;',
        'status 3/3',
      ]);
      if (!skipUnless('phpGearman')) {
        const php = await phpSubmit(suite.server.port, 'statusStream', 'y');
        assert.deepEqual(php.events, [
          ['status', '1/3'],
          ['data', 'chunk-1;'],
          ['status', '2/3'],
          ['warning', 'careful'],
          ['data', 'chunk-2;'],
          ['status', '3/3'],
          ['complete', 'final:y'],
        ]);
      }
    });

    test('a job over its timeout fails with a timeout text and its AbortSignal fires', async () => {
      const w = await start('slowTimeout', 'slow.ts', { timeoutMs: 200 });
      await assert.rejects(
        suite.client.submit('slowTimeout', '5000', { exceptions: true }),
        (err: Error & { exception?: Buffer }) => {
          assert.match(err.exception?.toString() ?? '', /timed out after 200 ms/);
          return true;
        },
      );
      // The slot is free again: a short job on the same worker completes.
      assert.equal((await suite.client.submit('slowTimeout', '10')).toString(), 'done:10');
      assert.equal(w.runtime!.inFlight, 0);
    });
  });
}
