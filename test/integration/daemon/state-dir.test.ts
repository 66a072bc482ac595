// Config discovery and the state directory with a real daemon: GMSUP_STATE_DIR and `state_dir:` move the
// control socket, pid file and logs away from the config's folder (a read-only config mount works),
// every CLI command finds the daemon by the same rule, and -c / GMSUP_CONFIG / ./workers.yaml pick the file.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { GearmanClient } from '../../../src/client/index.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { BIN } from './daemon-harness.js';

function gmsup(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `gmsup start` (foreground) with `env`; always reaps it and its workers. */
async function daemonWith(t: TestContext, cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
  const proc = spawn(process.execPath, [BIN, 'start', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  proc.stderr.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
  });
  await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error(`the daemon exited with ${proc.exitCode}:\n${out}`);
      return gmsup(cwd, env, 'status', ...args).status === 0;
    },
    { timeoutMs: 20_000, what: `daemon up: ${out}` },
  );
  return { proc, exited, output: () => out };
}

const CONFIG = `
env_file: app.env
server:
  listen: 127.0.0.1:0
workers:
  env:
    module: env-print.mjs
    restart: { start_seconds: 0.2 }
`;

/** A module that says hello on stdout (so its log file appears) and answers FOO. */
function writeModule(dir: string): void {
  writeFileSync(join(dir, 'env-print.mjs'), 'console.log("hello");\nexport default () => process.env.FOO + "|";\n');
}

test('GMSUP_STATE_DIR moves socket, pid and logs; CLI commands find the daemon the same way', async (t) => {
  const root = tempDir(t);
  const conf = join(root, 'conf');
  const state = join(root, 'state');
  mkdirSync(conf);
  writeFileSync(join(conf, 'workers.yaml'), CONFIG);
  writeFileSync(join(conf, 'app.env'), 'FOO="from the env file"\n');
  writeModule(conf);
  const env = { ...process.env, GMSUP_STATE_DIR: state, GMSUP_CONFIG: '' };
  // Started from the config folder with no file named: ./workers.yaml.
  const d = await daemonWith(t, conf, env, []);
  assert.ok(existsSync(join(state, 'control.sock')));
  assert.ok(existsSync(join(state, 'daemon.pid')));
  const untouched = ['app.env', 'env-print.mjs', 'workers.yaml'];
  assert.deepEqual(readdirSync(conf).sort(), untouched, 'nothing written next to the config');

  // The env file reached the worker.
  const snap = JSON.parse(gmsup(conf, env, 'status', '--json').stdout);
  const server = snap.servers.find((s: { embedded: boolean }) => s.embedded).address;
  const client = new GearmanClient({ servers: [server] });
  t.after(() => client.close());
  assert.match((await client.submit('env', '')).toString(), /^from the env file\|/);
  await waitFor(() => existsSync(join(state, 'logs', 'env.log')) || null, { what: 'worker log in the state dir' });

  // Found from elsewhere by -c, by GMSUP_CONFIG, by a FILE argument; without the env var it is not there.
  const file = join(conf, 'workers.yaml');
  assert.equal(gmsup(root, env, 'status', '-c', file).status, 0);
  assert.equal(gmsup(root, { ...env, GMSUP_CONFIG: file }, 'status').status, 0);
  assert.equal(gmsup(root, env, 'describe', 'env', file).status, 0);
  const lost = gmsup(root, { ...process.env, GMSUP_STATE_DIR: '' }, 'status', file);
  assert.equal(lost.status, 3, lost.stderr);
  assert.equal(gmsup(root, env, 'status', '-c', file, file).status, 64, '-c and FILE together');

  assert.equal(gmsup(root, env, 'stop', '-c', file).status, 0);
  assert.equal(await d.exited, 0);
});

test('state_dir in the file: the CLI reads it from the file, also while the file is invalid', async (t) => {
  const root = tempDir(t);
  const conf = join(root, 'conf');
  mkdirSync(conf);
  const file = join(conf, 'w.yaml');
  writeFileSync(join(conf, 'app.env'), 'FOO=x\n');
  writeModule(conf);
  writeFileSync(file, `state_dir: ../var/gmsup\n${CONFIG}`);
  const env = { ...process.env, GMSUP_STATE_DIR: '', GMSUP_CONFIG: '' };
  const d = await daemonWith(t, root, env, [file]);
  assert.ok(existsSync(join(root, 'var', 'gmsup', 'control.sock')));
  assert.equal(existsSync(join(conf, '.gmsup')), false);
  // Break the file (the daemon keeps the old config): the CLI still finds the daemon.
  writeFileSync(file, `state_dir: ../var/gmsup\n${CONFIG}\n  broken: [\n`);
  const st = gmsup(root, env, 'status', file);
  assert.equal(st.status, 0, st.stderr);
  assert.equal(gmsup(root, env, 'stop', file).status, 0);
  assert.equal(await d.exited, 0);
});
