// Every worker kind sees its `env:` and `cwd:` the same way (issue 11 defect 1: module workers used to
// miss `env`), also when an instance was started from a warm spare, and a changed env restarts them.
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, instancesOf, startDaemon, waitAllRegistered, writeConfig } from './daemon-harness.js';

/** What the first reload logged after `mark` (an offset into the daemon's output) did. */
async function firstReloadAfter(d: { output(): string }, mark: number): Promise<string> {
  const line = /reload \((?:gmsup reload|file changed)\): (.*)/;
  return waitFor(() => line.exec(d.output().slice(mark))?.[1], { what: 'a reload log line' });
}

const config = (dir: string, foo: string) => `
server:
  listen: 127.0.0.1:0
workers:
  mod:
    module: ${fixture('env-cwd.mjs')}
    env: { FOO: ${foo} }
    cwd: ${dir}
  cmd:
    command: ["sh", "-c", "printf '%s|%s' \\"$FOO\\" \\"$(pwd)\\""]
    env: { FOO: ${foo} }
    cwd: ${dir}
`;

test('module and command workers see env and cwd alike; a warm-spare start too; an env change rolls', async (t) => {
  const d = await startDaemon(t, 'workers: {}\n', { waitRunning: false });
  const work = realpathSync(mkdirSync(join(d.dir, 'work'), { recursive: true }) ?? join(d.dir, 'work'));
  writeConfig(d.file, config(work, 'bar'));
  assert.equal(d.cli('reload', d.file).status, 0);
  await waitAllRegistered(d);
  const client = new GearmanClient({ servers: [await d.server()] });
  t.after(() => client.close());
  assert.equal((await client.submit('mod', '')).toString(), `bar|${work}`);
  assert.equal((await client.submit('cmd', '')).toString(), `bar|${work}`);

  // A crash restart takes the warm spare (spawned before the instance knew its env): same view.
  const [victim] = instancesOf(await d.status(), 'mod');
  process.kill(victim!.pid!, 'SIGKILL');
  await waitFor(
    async () => {
      const [i] = instancesOf(await d.status(), 'mod');
      return i && i.pid !== victim!.pid && i.state === 'RUNNING' && i.registeredOn === 1;
    },
    { timeoutMs: 15_000, what: 'mod restarted' },
  );
  assert.equal((await client.submit('mod', '')).toString(), `bar|${work}`);

  // env is part of what the process runs: changing it restarts the instances with the new value.
  const mark = d.output().length;
  writeConfig(d.file, config(work, 'baz'));
  const reload = d.cli('reload', d.file);
  assert.equal(reload.status, 0, reload.stderr);
  // The file watcher may apply the edit before `gmsup reload` arrives (which then finds nothing left to
  // do): one of the two rolls `mod` for its env.
  const rolled = /reload \((?:gmsup reload|file changed)\): .*mod restart \(rolling restart \(env changed\)\)/;
  await waitFor(() => rolled.test(d.output().slice(mark)), { what: 'the reload that rolls mod' });
  for (const fn of ['mod', 'cmd']) {
    await waitFor(async () => (await client.submit(fn, '')).toString() === `baz|${work}`, {
      timeoutMs: 20_000,
      what: `${fn} restarted with FOO=baz`,
    });
  }
});

test('a reload that changes only daemon-side settings says what it updates (not "no changes")', async (t) => {
  const yaml = (extra: string) => `
server:
  listen: 127.0.0.1:0
workers:
  echo:
    module: ${fixture('echo.mjs')}${extra}
`;
  const d = await startDaemon(t, yaml(''));
  const pidsBefore = (await d.status()).instances.map((i) => i.pid);
  const mark = d.output().length;
  writeConfig(d.file, yaml('\n    max_memory: 900MiB\n    restart: { retries: 7 }'));
  const reload = d.cli('reload', d.file);
  assert.equal(reload.status, 0, reload.stderr);
  // The watcher or `gmsup reload`, whichever came first, says what it updated.
  assert.equal(await firstReloadAfter(d, mark), 'echo update (no restart; updates maxMemoryBytes, restart)');
  assert.deepEqual(
    (await d.status()).instances.map((i) => i.pid),
    pidsBefore,
  );
});
