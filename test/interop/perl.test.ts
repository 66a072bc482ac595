// Interop with Perl's Gearman::Client / Gearman::Worker: do_task at each priority with status,
// dispatch_background + get_status, task sets, a worker function that dies; and gmsup's client
// against the Perl worker. Same scenarios on gearmand 1.1.20 and the embedded server.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { GearmanClient, JobFailedError } from '../../src/client/index.js';
import { skipUnless } from '../helpers/external.js';
import { targets, type RunningServer } from '../integration/client/targets.js';
import { runProgram, startProgram, waitForWorkers, type LongProgram } from './programs.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/perl/', import.meta.url));

for (const target of targets) {
  describe(`Perl Gearman::Client/Worker on ${target.name}`, { skip: target.skip || skipUnless('perlGearman') }, () => {
    let server: RunningServer;
    let worker: LongProgram;
    let client: GearmanClient;
    const perl = async (...args: string[]) => {
      const r = await runProgram('perl', [`${FIXTURES}client.pl`, String(server.port), ...args], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, `perl client ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    };
    before(async () => {
      server = await target.start();
      worker = startProgram('perl', [`${FIXTURES}worker.pl`, String(server.port)]);
      client = new GearmanClient({ servers: [server.address] });
      await waitForWorkers(server.address, 'perl_die');
    });
    after(async () => {
      await client?.close();
      await worker?.stop();
      await server?.stop();
    });

    test('do_task at normal, high and low priority, with on_status', async () => {
      const out = await perl('do', 'perl_status', 'hi');
      for (const p of ['normal', 'high', 'low'])
        assert.deepEqual(out[p], { result: 'status-done:hi', status: ['1/2'] }, p);
    });

    test('dispatch_background + get_status', async () => {
      const out = await perl('background', 'perl_queued');
      assert.match(out.handle, new RegExp(`^127\\.0\\.0\\.1:${server.port}//.+`));
      assert.equal(out.known, 1);
      assert.equal(out.running, 0);
    });

    test('task set of 5 tasks', async () => {
      const out = await perl('taskset', 'perl_rev', '5');
      assert.deepEqual(out.results, { t1: '1t', t2: '2t', t3: '3t', t4: '4t', t5: '5t' });
    });

    test('gmsup client -> Perl worker: results and status', async () => {
      const statuses: string[] = [];
      const r = await client.submit('perl_status', 'x', { onStatus: (n, d) => statuses.push(`${n}/${d}`) });
      assert.equal(r.toString(), 'status-done:x');
      assert.deepEqual(statuses, ['1/2']);
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => client.submit('perl_rev', `ab${i}`)));
      for (const [i, b] of many.entries()) assert.equal(b.toString(), [...`ab${i}`].reverse().join(''));
    });

    // On gearmand a die ends the Perl worker (gearmand answers the WORK_FAIL that follows the
    // exception with ERROR and the worker exits): a fresh worker is started for the second half there.
    test('a worker function that dies: exceptions reach Perl and gmsup clients that asked', async () => {
      const out = await perl('die_exc', 'perl_die');
      assert.equal(out.result, null);
      assert.match(out.exception, /perl died: x/);
      if (target.name === 'gearmand') {
        await worker.stop();
        worker = startProgram('perl', [`${FIXTURES}worker.pl`, String(server.port)]);
        await waitForWorkers(server.address, 'perl_die');
      }
      const gm = await client.submit('perl_die', 'y', { exceptions: true }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(gm instanceof JobFailedError && gm.exception?.toString().includes('perl died: y'), String(gm));
    });

    test('a worker function that dies: a client without exceptions sees a failure and the worker lives on', {
      skip:
        target.name === 'gearmand'
          ? 'gearmand 1.1.20 kills the Perl worker here and sends WORK_FAIL "h\\0", ' +
            'which Gearman::Client rejects (pinned in conformance)'
          : false,
    }, async () => {
      const out = await perl('die', 'perl_die');
      assert.deepEqual(out, { result: null, exception: null, failed: 1 });
      const plain = new GearmanClient({ servers: [server.address] }); // no exceptions option
      try {
        await assert.rejects(
          plain.submit('perl_die', 'z', { timeoutMs: 15_000 }),
          (e) => e instanceof JobFailedError && e.exception === undefined,
        );
      } finally {
        await plain.close();
      }
      assert.equal(worker.exited(), false);
      assert.equal((await client.submit('perl_rev', 'still here')).toString(), 'ereh llits');
    });
  });
}
