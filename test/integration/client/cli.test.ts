// `gmsup submit` and `gmsup admin` as real processes (built dist/) against a real job server, with an
// in-process raw worker: output bytes, stdin input, background handles, failures and exit codes.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freePort } from '../../helpers/gearmand.js';
import { startRawWorker, type RawWorker } from './raw-worker.js';
import { targets, type RunningServer } from './targets.js';
import { BIN, runCli, runProgram } from './run-cli.js';

const noScript =
  spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0 ? false : 'needs script(1): apt-get install bsdutils';

for (const target of targets) {
  describe(`gmsup submit/admin CLI on ${target.name}`, { skip: target.skip }, () => {
    let server: RunningServer;
    let worker: RawWorker;
    before(async () => {
      server = await target.start();
      worker = await startRawWorker(server.address, ['cli_rev', 'cli_stream', 'cli_bad', 'cli_slow'], (job, r) => {
        const text = job.payload.toString();
        if (job.fn === 'cli_rev') return r.complete([...text].reverse().join(''));
        if (job.fn === 'cli_stream') {
          r.status(1, 2);
          r.data('line1\n');
          r.data('line2\n');
          return r.complete('end\n');
        }
        if (job.fn === 'cli_bad') return text === 'plain' ? r.fail() : r.exception('it broke: bad input');
        return new Promise<void>(() => undefined); // cli_slow never answers
      });
    });
    after(async () => {
      await worker?.close();
      await server?.stop();
    });

    test('submit prints the result bytes; DATA from argv or stdin', async () => {
      const a = await runCli(['submit', '--servers', server.address, 'cli_rev', 'hello']);
      assert.deepEqual(a, { code: 0, stdout: 'olleh', stderr: '' });
      const b = await runCli(['submit', '-s', server.address, 'cli_rev'], 'from stdin');
      assert.equal(b.stdout, 'nidts morf');
      assert.equal(b.code, 0);
    });

    test('at a terminal the result ends with a newline', { skip: noScript }, async () => {
      // script(1) gives the command a real pseudo-terminal and copies what it writes there. Spawned
      // asynchronously: the worker answering the job runs in this process.
      const command = `${process.execPath} ${BIN} submit -s ${server.address} cli_rev hello; echo END`;
      const tty = await runProgram('script', ['-qec', command, '/dev/null']);
      assert.equal(tty.stdout, 'olleh\r\nEND\r\n');
    });

    test('piped, the result is the bytes the worker sent (no newline added)', async () => {
      assert.equal((await runCli(['submit', '-s', server.address, 'cli_rev', 'hello'])).stdout, 'olleh');
    });

    test('WORK_DATA chunks stream before the result; --verbose reports status', async () => {
      const r = await runCli(['submit', '-v', '-s', server.address, 'cli_stream', 'x']);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'line1\nline2\nend\n');
      assert.match(r.stderr, /status 1\/2/);
    });

    test('--background prints a handle the server knows; --high/--low/--unique accepted', async () => {
      const r = await runCli(['submit', '-b', '--low', '-u', 'cli-u1', '-s', server.address, 'cli_queued', 'q']);
      assert.equal(r.code, 0, r.stderr);
      const handle = r.stdout.trim();
      assert.match(handle, /.+:\d+$/);
      const jobs = await runCli(['admin', 'show', 'jobs', '-s', server.address]);
      assert.ok(jobs.stdout.includes(handle), jobs.stdout);
      const pr = await runCli(['admin', 'prioritystatus', '-s', server.address]);
      assert.match(pr.stdout, /^cli_queued\t0\t0\t1\t0$/m);
      const cancel = await runCli(['admin', 'cancel', 'job', handle, '-s', server.address]);
      assert.equal(cancel.stdout, 'OK\n');
    });

    test('failed jobs exit 4 with the exception text on stderr', async () => {
      const e = await runCli(['submit', '-s', server.address, 'cli_bad', 'boom']);
      assert.equal(e.code, 4);
      assert.equal(e.stdout, '');
      assert.match(e.stderr, /it broke: bad input/);
      const f = await runCli(['submit', '-s', server.address, 'cli_bad', 'plain']);
      assert.equal(f.code, 4);
      assert.match(f.stderr, /failed/);
    });

    test('unreachable servers exit 5; failover to the next server in order', async () => {
      const dead = `127.0.0.1:${await freePort()}`;
      const u = await runCli(['submit', '-s', dead, 'cli_rev', 'x']);
      assert.equal(u.code, 5);
      assert.match(u.stderr, new RegExp(dead));
      const ok = await runCli(['submit', '-s', `${dead},${server.address}`, 'cli_rev', 'abc']);
      assert.deepEqual([ok.code, ok.stdout], [0, 'cba']);
    });

    test('--timeout exits 11', async () => {
      const r = await runCli(['submit', '-t', '300', '-s', server.address, 'cli_slow', 'x']);
      assert.equal(r.code, 11);
      assert.match(r.stderr, /300 ms/);
    });

    const adminCase =
      'admin: status/workers/version per server, headers when several, ERR exits 6, dead server exits 5';
    test(adminCase, async () => {
      const st = await runCli(['admin', 'status', '-s', server.address]);
      assert.equal(st.code, 0);
      assert.match(st.stdout, /^cli_rev\t\d+\t\d+\t1$/m);
      assert.ok(st.stdout.endsWith('.\n'));
      const wk = await runCli(['admin', 'workers', '-s', server.address]);
      assert.match(wk.stdout, / : .*cli_rev/);
      const two = await runCli(['admin', 'version', '-s', `${server.address},${server.address}`]);
      assert.equal(two.code, 0);
      assert.equal(two.stdout.match(/^== 127\.0\.0\.1:\d+ ==$/gm)?.length, 2);
      assert.equal(two.stdout.match(/^OK \S+$/gm)?.length, 2);
      const bad = await runCli(['admin', 'bogus', '-s', server.address]);
      assert.equal(bad.code, 6);
      assert.match(bad.stdout, /^ERR UNKNOWN_COMMAND/);
      const dead = await runCli(['admin', 'status', '-s', `127.0.0.1:${await freePort()}`]);
      assert.equal(dead.code, 5);
    });
  });
}
