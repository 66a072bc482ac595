// Live reload on the real daemon with jobs flowing the whole time: scale (no restarts), add, change
// (rolling restart), module edit, invalid file (old config stays, configError shown), remove, and the
// runtime `scale` override kept across reloads. Not one job may fail.
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixture, instancesOf, nth, startDaemon, waitAllRegistered } from './daemon-harness.js';

function yaml(dir: string, o: { echo?: number; slowConcurrency: number; wc?: boolean; bad?: boolean }): string {
  return `
server:
  listen: 127.0.0.1:0
workers:
${
  o.echo !== undefined
    ? `  echo:
    module: ${fixture('echo.mjs')}
    instances: ${o.echo}
    restart: { start_seconds: 0.2 }
`
    : ''
}  slow:
    module: ${join(dir, 'slow.mjs')}
    instances: 1
    concurrency: ${o.slowConcurrency}
    restart: { start_seconds: 0.2 }
${
  o.wc
    ? `  wc:
    command: wc -c
    instances: 1
`
    : ''
}${o.bad ? '    instancez: 3\n' : ''}`.replace(/^\n/, '');
}

/** Editors save by writing a temp file and renaming it over the original. */
function saveLikeAnEditor(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

test('reload: scale, add, change, module edit, invalid, remove, runtime override; no job lost', async (t) => {
  // The fixture is copied so the test can edit it (module-file watch).
  const boot = await startDaemon(t, '\nworkers: {}\nserver:\n  listen: 127.0.0.1:0\n', { waitRunning: false });
  const dir = boot.dir;
  copyFileSync(fixture('slow.mjs'), join(dir, 'slow.mjs'));
  saveLikeAnEditor(boot.file, yaml(dir, { echo: 2, slowConcurrency: 1 }));
  const d = boot;
  await waitFor(async () => (await d.status()).instances.length === 3, {
    timeoutMs: 15_000,
    what: 'the first reload to start 3 instances',
  });
  await waitAllRegistered(d, 15_000, 'initial workers after the first reload');
  const client = new GearmanClient({ servers: [await d.server()] });
  t.after(() => client.close());

  // Load: 3 loops submitting to slow and echo until told to stop; every failure is kept.
  let loading = true;
  t.after(() => {
    loading = false;
  }); // also when an assertion fails midway
  let done = 0;
  const failures: string[] = [];
  const loop = async (fn: string) => {
    for (let n = 0; loading && n < 100_000 && failures.length < 50; n++) {
      try {
        await client.submit(fn, `x${done}`, { timeoutMs: 20_000 });
        done++;
      } catch (err) {
        failures.push(`${fn}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  const loops = [loop('slow'), loop('slow'), loop('echo')];

  // 1. count-only change: echo 2 -> 3, the two running ones keep their pids
  const s0 = await d.status();
  const echoPids = instancesOf(s0, 'echo').map((i) => i.pid);
  saveLikeAnEditor(d.file, yaml(dir, { echo: 3, slowConcurrency: 1 }));
  const s1 = await waitFor(
    async () => {
      const s = await d.status();
      return instancesOf(s, 'echo').filter((i) => i.state === 'RUNNING').length === 3 ? s : null;
    },
    { what: 'echo scaled to 3' },
  );
  assert.deepEqual(
    instancesOf(s1, 'echo')
      .slice(0, 2)
      .map((i) => i.pid),
    echoPids,
    'scaling restarted nothing',
  );

  // 2. add wc and change slow (concurrency): wc starts, slow restarts with replacement first
  const slowPid = nth(instancesOf(s1, 'slow'), 0, 'slow instance').pid;
  saveLikeAnEditor(d.file, yaml(dir, { echo: 3, slowConcurrency: 2, wc: true }));
  await waitFor(
    async () => {
      const s = await d.status();
      const slow = instancesOf(s, 'slow').filter((i) => !i.retiring);
      return (
        instancesOf(s, 'wc')[0]?.state === 'RUNNING' &&
        slow.length === 1 &&
        slow[0]?.pid !== slowPid &&
        slow[0]?.state === 'RUNNING'
      );
    },
    { timeoutMs: 15_000, what: 'wc added and slow restarted' },
  );
  assert.equal((await client.submit('wc', 'abcd')).toString().trim(), '4');
  assert.deepEqual(
    instancesOf(await d.status(), 'echo')
      .map((i) => i.pid)
      .slice(0, 2),
    echoPids,
    'echo untouched',
  );

  // 3. module file edit: slow restarts again
  const slowPid2 = instancesOf(await d.status(), 'slow').find((i) => !i.retiring)!.pid;
  appendFileSync(join(dir, 'slow.mjs'), '\n// edited\n');
  await waitFor(
    async () => {
      const i = instancesOf(await d.status(), 'slow').find((x) => !x.retiring);
      return i && i.pid !== slowPid2 && i.state === 'RUNNING';
    },
    { timeoutMs: 15_000, what: 'slow restarted after module edit' },
  );

  // 4. invalid file: rejected with the positioned error list, old config stays, configError shown
  saveLikeAnEditor(d.file, yaml(dir, { echo: 3, slowConcurrency: 2, wc: true, bad: true }));
  const bad = await waitFor(
    async () => {
      const s = await d.status();
      return s.daemon.configError ? s : null;
    },
    { what: 'configError' },
  );
  assert.match(bad.daemon.configError!, /workers\.yaml:\d+:\d+ .*instancez/);
  const r = d.cli('reload', d.file);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /instancez/);
  assert.equal(instancesOf(bad, 'wc').length, 1);

  // 5. runtime override survives a reload that does not change the count; remove echo
  assert.equal(d.cli('scale', 'wc', '2', d.file).status, 0);
  saveLikeAnEditor(d.file, yaml(dir, { slowConcurrency: 2, wc: true }));
  const s5 = await waitFor(
    async () => {
      const s = await d.status();
      return instancesOf(s, 'echo').length === 0 && !s.daemon.configError ? s : null;
    },
    { timeoutMs: 15_000, what: 'echo removed' },
  );
  const wcProg = s5.programs.find((p) => p.name === 'wc')!;
  assert.deepEqual([wcProg.desired, wcProg.configured, wcProg.scaled], [2, 1, true]);
  assert.equal(
    s5.programs.some((p) => p.name === 'echo'),
    false,
  );

  loading = false;
  await Promise.all(loops.map((p) => p.catch(() => {})));
  // The echo loop may see the function vanish at the very end; slow must never fail.
  const slowFailures = failures.filter((f) => f.startsWith('slow'));
  assert.deepEqual(slowFailures, [], `jobs lost across reloads (${done} done)`);
  assert.ok(done > 20, `jobs flowed during the test: ${done}`);
  assert.match(d.output(), /reload \(file changed\)/);
});
