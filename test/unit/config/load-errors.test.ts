// One fixture per kind of config problem: each must be reported with its exact file:line:col, key path
// and message, all problems of a file at once, as GmsupError CONFIG_INVALID (exit code 2).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig, validateConfigText, type ConfigIssue } from '../../../src/config/load.js';
import { GmsupError } from '../../../src/shared/errors.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));

/** Loads a fixture expecting failure; returns its issues as `line:col path: message` strings. */
async function problems(name: string): Promise<string[]> {
  const file = join(FIXTURES, name);
  const err = await loadConfig(file, { cpuCount: 4 }).then(
    () => assert.fail(`${name} should be invalid`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GmsupError);
  assert.equal(err.code, 'CONFIG_INVALID');
  assert.equal(err.exitCode, 2);
  const issues = (err as GmsupError & { issues: ConfigIssue[] }).issues;
  for (const i of issues) {
    assert.equal(i.file, file);
    // The message repeats every issue in the `file:line:col key: message` form.
    const expected =
      i.path === '' ? `${file}:${i.line}:${i.col}: ${i.message}` : `${file}:${i.line}:${i.col} ${i.path}: ${i.message}`;
    assert.ok(err.message.split('\n').includes(expected), err.message);
  }
  return issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
}

test('YAML syntax errors carry their position', async () => {
  assert.deepEqual(await problems('yaml-syntax.yaml'), [
    '3:13 : YAML: Nested mappings are not allowed in compact mappings',
    '3:13 : YAML: Implicit keys need to be on a single line',
  ]);
  assert.deepEqual(await problems('duplicate-key.yaml'), ['5:5 : YAML: Map keys must be unique']);
});

test('unknown keys at every level, with a did-you-mean suggestion', async () => {
  const list = await problems('unknown-key.yaml');
  assert.deepEqual(list.slice(0, 3), [
    '1:1 sever: unknown key; did you mean server?',
    '6:5 workers.echo.instnaces: unknown key; did you mean instances?',
    '8:7 workers.echo.restart.retires: unknown key; did you mean retries?',
  ]);
  assert.match(
    list[3]!,
    /^9:5 workers\.echo\.frobnicate: unknown key \(known keys: function, module, command, process/,
  );
  assert.equal(list.length, 4);
});

test('wrong types', async () => {
  assert.deepEqual(await problems('wrong-type.yaml'), [
    '4:18 workers.echo.concurrency: expected a whole number, got the string "four"',
    '5:5 workers.echo.shell: shell applies only to command and process workers',
    '5:12 workers.echo.shell: expected true or false, got the string "yes"',
    '6:10 workers.echo.env: expected a map of NAME: value, got a list',
    '7:15 workers.echo.max_jobs: expected a whole number, got number 1.5',
    '8:10 workers.other: expected a map of settings, got the string "just a string"',
  ]);
});

test('missing module file, unsupported module type, missing cwd', async () => {
  assert.deepEqual(await problems('missing-module.yaml'), [
    `3:13 workers.echo.module: module file not found: ${join(FIXTURES, 'handlers/nope.ts')}`,
    '5:13 workers.py.module: module must be a .ts, .mts, .cts, .js, .mjs, .cjs file, got "handlers/echo.py"',
  ]);
  assert.deepEqual(await problems('missing-cwd.yaml'), [
    `4:10 workers.echo.cwd: directory not found: ${join(FIXTURES, 'no-such-dir')}`,
  ]);
});

test('a worker needs exactly one of module, command, process', async () => {
  assert.deepEqual(await problems('both-kinds.yaml'), [
    '4:5 workers.echo.command: use only one of module, command or process (found module and command)',
    '5:3 workers.nothing: needs one of module, command or process',
    '7:3 workers.empty: needs one of module, command or process',
  ]);
});

test('negative, zero and absurd counts; per_core with instances', async () => {
  assert.deepEqual(await problems('bad-counts.yaml'), [
    '4:16 workers.a.instances: must be at least 1, got -1',
    '7:16 workers.b.instances: must be at least 1, got 0',
    '10:15 workers.c.per_core: must be greater than 0, got 0',
    '13:18 workers.d.concurrency: must be at least 1, got 0',
    '14:15 workers.d.max_jobs: must be at least 1, got -5',
    '17:16 workers.e.instances: must be at most 1024, got 5000',
  ]);
  assert.deepEqual(await problems('per-core-and-instances.yaml'), [
    '5:5 workers.echo.instances: use either per_core or instances, not both',
  ]);
});

test('bad durations and sizes', async () => {
  const hint = 'use a number of ms or 500ms, 30s, 5m, 1h, 1h30m';
  assert.deepEqual(await problems('bad-duration.yaml'), [
    `4:14 workers.echo.timeout: bad duration "5 minutes": ${hint}`,
    '5:19 workers.echo.stop_timeout: must not be negative, got -1',
    '6:19 workers.echo.max_lifetime: must be longer than 0',
    '9:20 workers.echo.restart.max_backoff: max_backoff must not be shorter than initial_backoff',
    `10:22 workers.echo.restart.start_seconds: bad duration "soon": ${hint}`,
  ]);
  const units = 'use bytes or a unit B, KB, MB, GB, KiB, MiB, GiB (e.g. 512MB, 1GiB)';
  assert.deepEqual(await problems('bad-size.yaml'), [
    `2:13 logs.max_size: bad size "10 megs": ${units}`,
    '3:9 logs.keep: must be at least 0, got -1',
    '4:11 logs.buffer: must be between 64KiB and 1GiB, got 1024 bytes',
    '5:11 logs.format: must be text or json, got xml',
    `9:17 workers.echo.max_memory: bad size "1.5XB": ${units}`,
  ]);
});

test('bad server addresses', async () => {
  assert.deepEqual(await problems('bad-servers.yaml'), [
    '2:5 servers[0]: port out of range in "127.0.0.1:99999"',
    '3:5 servers[1]: bad port in server address "localhost:abc"',
    '4:5 servers[2]: port 0 in server address "127.0.0.1:0": give the real port',
    '6:5 servers[4]: server 127.0.0.1:4730 is listed twice',
    '8:11 server.listen: bad server address "[::1": missing ]',
  ]);
});

test('duplicate function names across workers', async () => {
  assert.deepEqual(await problems('duplicate-function.yaml'), [
    '6:15 workers.echo2: function "echo" is already registered by worker echo',
  ]);
});

test('commands: quoting, PATH lookup, shell with a list, missing program, empty argv', async () => {
  assert.deepEqual(await problems('bad-command.yaml'), [
    '3:14 workers.a.command: cannot split command: unterminated single quote',
    '5:14 workers.b.command: command not found on PATH: gmsup-no-such-program-xyz',
    '8:12 workers.c.shell: shell: true needs command as one string, not a list',
    `10:14 workers.d.process: program not found: ${join(FIXTURES, 'bin/missing.sh')}`,
    '12:14 workers.e.command: must not be empty',
  ]);
  assert.deepEqual(await problems('process-keys.yaml'), [
    '4:5 workers.legacy.concurrency: concurrency does not apply to process workers ' +
      '(the process talks to the job server itself)',
    '5:5 workers.legacy.max_jobs: max_jobs does not apply to process workers ' +
      '(the process talks to the job server itself)',
  ]);
});

test('names: worker keys, function names, env names and values', async () => {
  assert.deepEqual(await problems('bad-names.yaml'), [
    '2:3 workers.bad name: worker names may use letters, digits, _ . - (they name log files); ' +
      'set `function:` for any other function name',
    '6:15 workers.ok.function: function names must not contain spaces or control characters',
    '8:7 workers.ok.env.1BAD: environment variable names use letters, digits and _',
    '9:13 workers.ok.env.GOOD: expected a string, got a list',
  ]);
});

test('empty file, missing workers, a list at the top', async () => {
  assert.deepEqual(await problems('empty.yaml'), ['1:1 : the file is empty; it needs at least a `workers:` map']);
  assert.deepEqual(await problems('missing-workers.yaml'), [
    '1:1 workers: missing: add a `workers:` map (worker name -> settings)',
  ]);
  assert.deepEqual(await problems('not-a-map.yaml'), ['1:1 : expected a map of settings, got a list']);
});

test('a missing file is CONFIG_INVALID without a position', async () => {
  const file = join(FIXTURES, 'does-not-exist.yaml');
  await assert.rejects(loadConfig(file), (err: unknown) => {
    assert.ok(err instanceof GmsupError && err.code === 'CONFIG_INVALID');
    assert.match(err.message, new RegExp(`${file.replace(/[.]/g, '\\.')}: cannot read config file: no such file`));
    return true;
  });
});

test('the message uses the file name as given and lists problems in file order', () => {
  const text = 'workers:\n  b:\n    module: x.ts\n    instances: 0\n  a:\n    modul: y.ts\n';
  const r = validateConfigText(text, 'conf/w.yaml', {
    fs: { isFile: () => true, isDir: () => true, onPath: () => true },
  });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(
    r.issues.map((i) => `${i.file}:${i.line}:${i.col} ${i.path}: ${i.message}`),
    [
      'conf/w.yaml:4:16 workers.b.instances: must be at least 1, got 0',
      'conf/w.yaml:5:3 workers.a: needs one of module, command or process',
      'conf/w.yaml:6:5 workers.a.modul: unknown key; did you mean module?',
    ],
  );
});

test('server.max_packet_size beyond the protocol limit, or not a size', () => {
  const check = (value: string) => {
    const r = validateConfigText(`server: { max_packet_size: ${value} }\nworkers: {}\n`, 'w.yaml', {
      fs: { isFile: () => true, isDir: () => true, onPath: () => true },
    });
    assert.equal(r.ok, false, value);
    return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
  };
  const limits = "must be between 64 and 4294967295 bytes (4GiB - 1, the protocol's limit)";
  assert.deepEqual(check('5GiB'), [`server.max_packet_size: ${limits}, got 5368709120`]);
  assert.deepEqual(check('10'), [`server.max_packet_size: ${limits}, got 10`]);
  assert.match(check('lots').join(), /server\.max_packet_size: bad size "lots"/);
});
