// `gmsup start --tui` in tmux: q asks before stopping the daemon (n keeps it, y stops it), d detaches
// and leaves the daemon running; and without a terminal both `tui` and `start --tui` exit NO_TTY.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ErrorCodes } from '../../src/shared/errors.js';
import { skipUnless } from '../helpers/external.js';
import { freePort } from '../helpers/gearmand.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { BIN, runCli, status, stopDaemon, writeConfig } from './daemon-fixture.js';
import { Tmux } from './tmux.js';

async function embedded(t: TestContext) {
  const dir = tempDir(t);
  const port = await freePort();
  const cfg = writeConfig(
    dir,
    `server:\n  listen: 127.0.0.1:${port}\n` +
      'workers:\n  echo:\n    module: echo.mjs\n    instances: 2\n    stop_timeout: 1s\n',
    {
      'echo.mjs': 'export default async (payload) => payload;\n',
    },
  );
  const exitFile = join(dir, 'exit');
  const tmux = Tmux.start(t, `node ${BIN} start ${cfg} --tui; echo $? > ${exitFile}`, 100, 30);
  const snap = await waitFor(() => status(cfg), { timeoutMs: 20_000, what: 'the embedded daemon to answer' });
  t.after(() => stopDaemon(cfg, snap.daemon.pid));
  const screen = () => tmux.capture();
  await waitFor(() => screen().filter((l) => /^[ >]echo\s+\d+\s+\d+ RUNNING/.test(l)).length === 2, {
    timeoutMs: 20_000,
    what: `2 running rows: ${screen().join('\n')}`,
  });
  return { cfg, tmux, screen, exitFile, daemonPid: snap.daemon.pid };
}

test('start --tui: the help line names q and d; q asks, n keeps the daemon, y stops it', {
  skip: skipUnless('tmux'),
  timeout: 120_000,
}, async (t) => {
  const { cfg, tmux, screen, exitFile } = await embedded(t);
  assert.ok(screen().at(-1)!.startsWith('q stop daemon  d detach'), screen().at(-1));
  tmux.keys('q');
  await waitFor(() => screen().some((l) => l.startsWith('stop the daemon? (y/n)')), { what: 'the question' });
  tmux.keys('n');
  await waitFor(() => screen().some((l) => l.startsWith('daemon left running')), { what: 'cancel message' });
  await status(cfg);
  tmux.keys('q');
  await waitFor(() => screen().some((l) => l.startsWith('stop the daemon? (y/n)')), { what: 'the question again' });
  tmux.keys('y');
  await waitFor(() => tmux.paneDead(), { timeoutMs: 30_000, what: 'gmsup start --tui to exit' });
  assert.equal(readFileSync(exitFile, 'utf8').trim(), '0');
  await assert.rejects(status(cfg), /no daemon/);
});

test('start --tui: d detaches, the daemon keeps running without the terminal', {
  skip: skipUnless('tmux'),
  timeout: 120_000,
}, async (t) => {
  const { cfg, tmux, screen, exitFile, daemonPid } = await embedded(t);
  tmux.keys('d');
  await waitFor(() => tmux.paneDead(), {
    timeoutMs: 10_000,
    what: `the dashboard to exit on d: ${screen().join('\n')}`,
  });
  assert.equal(readFileSync(exitFile, 'utf8').trim(), '0');
  assert.equal((await status(cfg)).daemon.pid, daemonPid);
  const r = await runCli(['stop', cfg]);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(
    async () => {
      try {
        await status(cfg);
        return false;
      } catch {
        return true;
      }
    },
    { timeoutMs: 30_000, what: 'the daemon to exit after stop' },
  );
});

function runWithoutTty(
  args: string[],
  t: TestContext,
): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let exited = false;
    let hung = false;
    child.once('exit', (code) => {
      exited = true;
      resolve({ code, stderr, hung });
    });
    // If it hangs (a daemon started before the check), stop it like a user would: SIGTERM drains.
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGTERM');
    }, 6_000);
    t.after(async () => {
      clearTimeout(timer);
      if (!exited) child.kill('SIGKILL');
    });
  });
}

async function noTtyConfig(t: TestContext): Promise<string> {
  const dir = tempDir(t);
  const port = await freePort();
  return writeConfig(
    dir,
    `server:\n  listen: 127.0.0.1:${port}\nworkers:\n  echo:\n    module: echo.mjs\n    instances: 1\n`,
    { 'echo.mjs': 'export default async (p) => p;\n' },
  );
}

async function expectNoTty(args: string[], t: TestContext): Promise<void> {
  const r = await runWithoutTty(args, t);
  assert.equal(r.hung, false, `gmsup ${args.join(' ')} must check for a terminal before starting anything, and exit`);
  assert.equal(r.code, ErrorCodes.NO_TTY.exit, `gmsup ${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, /needs a terminal/);
}

test('without a terminal, gmsup tui says so and exits NO_TTY', async (t) => {
  await expectNoTty(['tui', await noTtyConfig(t)], t);
});

test('without a terminal, gmsup start --tui says so and exits NO_TTY before starting anything', async (t) => {
  const cfg = await noTtyConfig(t);
  await expectNoTty(['start', cfg, '--tui'], t);
  await assert.rejects(status(cfg), /no daemon/);
});
