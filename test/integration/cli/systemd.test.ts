// `gmsup systemd FILE`: the unit passes systemd-analyze verify (when installed), and its ExecStart,
// ExecReload and ExecStop lines, run as systemd would run them, start, reload and drain-stop a real daemon.
// TimeoutStopSec follows the largest stop_timeout; a SIGTERM after a `gmsup stop` does not force.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { stopTimeoutSec } from '../../../src/cli/systemd-unit.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN, fixture } from '../daemon/daemon-harness.js';

const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { stdio: 'ignore' }).status === 0;

test('the unit verifies, and its Exec lines start, reload and stop the daemon', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'app.yaml');
  writeFileSync(
    file,
    `server: { listen: 127.0.0.1:0 }\nworkers:\n  echo:\n    module: ${fixture('echo.mjs')}\n    stop_timeout: 42s\n`,
  );
  const r = spawnSync(process.execPath, [BIN, 'systemd', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const unit = r.stdout;
  const field = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1] ?? assert.fail(`no ${key}=`);
  assert.equal(field('Type'), 'simple');
  assert.equal(field('KillMode'), 'mixed');
  assert.equal(field('Restart'), 'on-failure');
  assert.equal(Number(field('TimeoutStopSec')), stopTimeoutSec(42_000));
  assert.ok(stopTimeoutSec(42_000) > 42);
  assert.equal(field('WorkingDirectory'), dir);
  assert.match(field('ExecStart'), new RegExp(`^${process.execPath} /\\S+/bin/gmsup\\.js start ${file}$`));
  assert.equal(field('ExecReload'), '/bin/kill -HUP $MAINPID');

  if (hasAnalyze) {
    writeFileSync(join(dir, 'gmsup-test.service'), unit);
    const verify = spawnSync('systemd-analyze', ['verify', join(dir, 'gmsup-test.service')], { encoding: 'utf8' });
    assert.equal(verify.stderr.trim(), '', 'systemd-analyze verify found problems');
    writeFileSync(join(dir, 'broken.service'), unit.replace('KillMode=mixed', 'KillMode=bogus'));
    const bad = spawnSync('systemd-analyze', ['verify', join(dir, 'broken.service')], { encoding: 'utf8' });
    assert.match(bad.stderr, /kill mode/i, 'the verify step can fail');
  } else t.diagnostic('systemd-analyze not installed: apt-get install -y systemd (verify step skipped)');

  // Run the Exec lines the way systemd does (no shell: split on spaces; these paths have none).
  const [cmd, ...argv] = field('ExecStart').split(' ');
  const daemon = spawn(cmd ?? '', argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  daemon.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exited = new Promise<number | null>((res) => daemon.once('exit', (c) => res(c)));
  t.after(() => {
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  });
  await waitFor(() => /echo\/0\/\d+ STARTING -> RUNNING/.test(out), { timeoutMs: 20_000, what: `running: ${out}` });
  const reload = spawnSync('sh', ['-c', field('ExecReload').replace('$MAINPID', String(daemon.pid))]);
  assert.equal(reload.status, 0);
  await waitFor(() => out.includes('reload (SIGHUP)'), { what: 'reload by SIGHUP' });
  const [stopCmd, ...stopArgv] = field('ExecStop').split(' ');
  const stop = spawn(stopCmd ?? '', stopArgv, { cwd: dir, stdio: 'ignore' });
  // systemd sends KillSignal (SIGTERM, mixed: the daemon only) if ExecStop takes long: still a drain.
  daemon.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /stopped via drain/);
  assert.doesNotMatch(out, /forcing/);
  await new Promise((res) => stop.once('exit', res));
});
