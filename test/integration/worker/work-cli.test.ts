// `gmsup work` in the foreground (bin/gmsup.js from dist/): a command worker given after `--`, a
// module worker with --module, usage errors, and SIGTERM stopping it with exit 0.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GearmanClient, adminStatus } from '../../../src/client/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FIXTURES, ROOT, startServer } from './helpers.js';

const BIN = join(ROOT, 'bin', 'gmsup.js');

function startWork(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'work', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exit: number | null | undefined;
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.once('exit', (code) => (exit = code));
  return {
    child,
    stderr: () => stderr,
    exited: () =>
      waitFor(() => (exit !== undefined ? { code: exit } : null), { what: `gmsup work to exit (${stderr})` }),
    kill: () => exit === undefined && child.kill('SIGKILL'),
  };
}

test('gmsup work FN -- CMD and --module; SIGTERM stops with exit 0', async (t) => {
  const server = await startServer('embedded');
  t.after(() => server.stop());
  const cmd = startWork(['upcase', '--servers', server.address, '--', 'tr', 'a-z', 'A-Z']);
  t.after(() => cmd.kill());
  const mod = startWork([
    'reverse',
    '-s',
    server.address,
    '--module',
    join(FIXTURES, 'reverse.ts'),
    '--concurrency',
    '2',
  ]);
  t.after(() => mod.kill());
  for (const fn of ['upcase', 'reverse']) {
    await waitFor(
      async () => (await adminStatus(server.address)).find((s) => s.name === fn && s.availableWorkers > 0),
      { what: `${fn} registered` },
    );
  }
  const client = new GearmanClient({ servers: [server.address] });
  t.after(() => client.close());
  assert.equal((await client.submit('upcase', 'shout')).toString(), 'SHOUT');
  assert.equal((await client.submit('reverse', 'abc')).toString(), 'cba');
  cmd.child.kill('SIGTERM');
  mod.child.kill('SIGTERM');
  assert.deepEqual(await cmd.exited(), { code: 0 });
  assert.deepEqual(await mod.exited(), { code: 0 });
});

test('gmsup work usage errors exit 64', () => {
  const none = spawnSync(process.execPath, [BIN, 'work', 'fn'], { encoding: 'utf8' });
  assert.equal(none.status, 64);
  assert.match(none.stderr, /exactly one of --module, --command/);
  const bad = spawnSync(process.execPath, [BIN, 'work', 'fn', '--command', 'x', '--concurrency', '0'], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 64);
  assert.match(bad.stderr, /--concurrency must be a positive integer/);
});
