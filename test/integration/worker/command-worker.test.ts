// Command workers (one process per job) against both job servers: stdin/stdout, exit status and
// stderr tail, job metadata in the environment, no shell unless asked, timeout kills the whole group.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerSpec } from '../../../src/worker/spec.js';
import { skipUnless } from '../../helpers/external.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { isProcessAlive } from '../../../src/shared/process-alive.js';
import { SERVER_KINDS, gearmanCliSubmit, phpSubmit, workerSuite } from './helpers.js';

for (const { kind, skip } of SERVER_KINDS) {
  describe(`command worker on ${kind}`, { skip }, () => {
    const suite = workerSuite(kind, { killGraceMs: 300 });
    const start = (fn: string, command: string[], extra: Partial<WorkerSpec> = {}) =>
      suite.start({ function: fn, kind: 'command', command, ...extra });

    test('payload on stdin, stdout is the result (like gearman -w -- wc -l)', async () => {
      await start('wc', ['wc', '-l']);
      assert.equal((await suite.client.submit('wc', 'a\nb\nc\n')).toString().trim(), '3');
      if (!skipUnless('gearmanCli')) assert.equal((await gearmanCliSubmit(suite.server.port, 'wc', 'x')).trim(), '0');
    });

    test('job metadata arrives in GMSUP_* variables, spec env too, and no shell runs by default', async () => {
      await start(
        'envdump',
        ['sh', '-c', 'printf "%s|%s|%s|%s" "$GMSUP_FUNCTION" "$GMSUP_UNIQUE" "$EXTRA" "$1"', 'sh', '$HOME'],
        { env: { EXTRA: 'extra-val' } },
      );
      const out = (await suite.client.submit('envdump', '', { unique: 'uq-7' })).toString();
      // '$HOME' reached the program literally: no shell expanded it.
      assert.equal(out, 'envdump|uq-7|extra-val|$HOME');
    });

    test('shell: true runs the command through /bin/sh', async () => {
      await start('shelled', ['tr a-z A-Z | tr -d "\\n"; echo -n "$GMSUP_FUNCTION"'], { shell: true });
      assert.equal((await suite.client.submit('shelled', 'abc')).toString(), 'ABCshelled');
    });

    test('a non-zero exit fails the job with the tail of stderr as the exception text', async () => {
      await start('failing', ['sh', '-c', 'cat >/dev/null; echo "first line" >&2; echo "disk full" >&2; exit 3']);
      await assert.rejects(
        suite.client.submit('failing', 'x', { exceptions: true }),
        (err: Error & { exception?: Buffer }) => {
          assert.equal(err.exception?.toString(), 'first line\ndisk full');
          return true;
        },
      );
      if (!skipUnless('phpGearman')) {
        const php = await phpSubmit(suite.server.port, 'failing', 'y');
        assert.deepEqual(php.events, [['exception', 'first line\ndisk full']]);
      }
    });

    test('a missing program fails the job and the worker keeps serving', async () => {
      await start('missing', ['/nonexistent/gmsup-no-such-program']);
      await assert.rejects(suite.client.submit('missing', 'x', { exceptions: true }), /ENOENT/);
      await assert.rejects(suite.client.submit('missing', 'y', { exceptions: true }), /ENOENT/);
    });

    test('a timeout kills the whole process group, TERM then KILL', async (t) => {
      const dir = tempDir(t);
      const pidFile = join(dir, 'grandchild.pid');
      // The grandchild ignores TERM, so only the KILL to the group ends it.
      const script = `trap "" TERM; sleep 30 & echo $! > ${pidFile}; wait`;
      // 1 s leaves the shell time to start the grandchild even on a loaded machine.
      await start('hangs', ['sh', '-c', script], { timeoutMs: 1000 });
      await assert.rejects(suite.client.submit('hangs', 'x', { exceptions: true }), /timed out after 1000 ms/);
      const pid = Number(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()));
      await waitFor(() => !isProcessAlive(pid), { timeoutMs: 5000, what: `grandchild ${pid} killed` });
    });
  });
}
