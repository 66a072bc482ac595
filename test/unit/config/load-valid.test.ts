// Valid files normalise into the frozen, fully defaulted Config: defaults, per_core math, path
// resolution next to the file, command splitting, server defaults, units.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig, validateConfigText } from '../../../src/config/load.js';
import type { FsPort } from '../../../src/config/validate-worker.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
const anyFs: FsPort = { isFile: () => true, isDir: () => true, onPath: () => true };

function valid(text: string, cpuCount = 4) {
  const r = validateConfigText(text, '/srv/app/workers.yaml', { cpuCount, fs: anyFs });
  if (!r.ok) assert.fail(r.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n'));
  return r.config;
}

test('minimal file: every default filled, embedded server on 127.0.0.1:4730', async () => {
  const file = join(FIXTURES, 'valid-minimal.yaml');
  const c = await loadConfig(file, { cpuCount: 3 });
  assert.equal(c.file, file);
  assert.equal(c.stateDir, join(FIXTURES, '.gmsup', 'valid-minimal'));
  assert.deepEqual(c.server, {
    host: '127.0.0.1',
    port: 4730,
    store: {
      kind: 'sqlite',
      path: join(c.stateDir, 'jobs.db'),
      sync: 'full',
      table: 'gmsup_jobs',
      gearmandTable: 'gearman_queue',
    },
  });
  assert.deepEqual(c.servers, ['127.0.0.1:4730']);
  assert.deepEqual(c.logs, {
    maxBytes: 10 * 1024 * 1024,
    keep: 5,
    compress: false,
    format: 'text',
    bufferBytes: 4 * 1024 * 1024,
  });
  assert.equal(c.programs.length, 1);
  const { source, ...p } = c.programs[0]!;
  assert.deepEqual(source, { file, line: 2, col: 3 });
  assert.deepEqual(p, {
    name: 'echo',
    spec: {
      name: 'echo',
      function: 'echo',
      kind: 'module',
      modulePath: join(FIXTURES, 'handlers/echo.ts'),
      command: undefined,
      shell: false,
      servers: ['127.0.0.1:4730'],
      concurrency: 1,
      timeoutMs: null,
      env: {},
      cwd: FIXTURES.replace(/\/$/, ''),
      maxJobs: null,
      stopTimeoutMs: 10_000,
    },
    instances: 1,
    perCore: null,
    autoscale: null,
    maxMemoryBytes: null,
    maxLifetimeMs: null,
    restart: { startSecsMs: 1000, startRetries: 3, initialBackoffMs: 100, maxBackoffMs: 10_000, fatalRetryMs: null },
  });
});

test('every key set: values normalised with units', async () => {
  const c = await loadConfig(join(FIXTURES, 'valid-full.yaml'), { cpuCount: 3 });
  assert.deepEqual(c.servers, ['127.0.0.1:4730', '[::1]:4731']);
  assert.deepEqual(c.server, {
    host: '127.0.0.1',
    port: 4730,
    store: {
      kind: 'sqlite',
      path: join(FIXTURES, 'data', 'jobs.db'), // relative to the workers file
      sync: 'normal',
      table: 'gmsup_jobs',
      gearmandTable: 'gearman_queue',
    },
  });
  assert.equal(c.stateDir, join(FIXTURES, 'state'));
  assert.deepEqual(c.logs, {
    maxBytes: 1024 * 1024,
    keep: 3,
    compress: true,
    format: 'json',
    bufferBytes: 1024 * 1024,
  });
  const [echo, lines, shelly, quoted] = c.programs;
  assert.equal(echo!.spec.function, 'echo_v2');
  assert.equal(echo!.instances, 5); // 1.5 x 3 = 4.5, rounded up
  assert.equal(echo!.perCore, 1.5);
  assert.equal(echo!.spec.concurrency, 8);
  assert.equal(echo!.spec.timeoutMs, 90_000);
  assert.deepEqual(echo!.spec.env, { LEVEL: 'debug', RETRIES: '3' });
  assert.equal(echo!.spec.cwd, join(FIXTURES, 'data'));
  assert.deepEqual(echo!.spec.servers, ['127.0.0.1:4730', '127.0.0.1:4732']);
  assert.equal(echo!.spec.maxJobs, 500);
  assert.equal(echo!.maxMemoryBytes, 512_000_000);
  assert.equal(echo!.maxLifetimeMs, 3_600_000);
  assert.equal(echo!.spec.stopTimeoutMs, 2500);
  assert.deepEqual(echo!.restart, {
    startSecsMs: 2500,
    startRetries: 5,
    initialBackoffMs: 250,
    maxBackoffMs: 30_000,
    fatalRetryMs: 300_000,
  });
  assert.deepEqual(
    [lines!.spec.kind, lines!.spec.command, lines!.instances, lines!.spec.servers],
    ['command', ['wc', '-l'], 2, c.servers],
  );
  assert.deepEqual([shelly!.spec.shell, shelly!.spec.command], [true, ['echo "$GMSUP_FUNCTION" | tr a-z A-Z']]);
  assert.deepEqual([quoted!.spec.kind, quoted!.spec.command], ['process', ['sh', '-c', 'echo "a b"; cat']]);
});

test('the result is deeply frozen', () => {
  const c = valid('workers:\n  a:\n    module: a.ts\n    env: { X: "1" }\n');
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.programs) && Object.isFrozen(c.programs[0]!.spec.env));
  assert.throws(() => ((c.programs[0]!.spec.env as Record<string, string>).Y = '2'));
});

test('per_core x CPU count: fractional, rounded up, at least 1', () => {
  const count = (perCore: number, cpus: number) =>
    valid(`workers:\n  a:\n    module: a.ts\n    per_core: ${perCore}\n`, cpus).programs[0]!.instances;
  assert.equal(count(1, 4), 4);
  assert.equal(count(2, 3), 6);
  assert.equal(count(0.5, 3), 2);
  assert.equal(count(0.1, 2), 1);
  assert.equal(count(0.25, 8), 2);
  assert.equal(count(1.5, 1), 2);
});

test('server defaults: server block alone, servers alone, port 0, wildcard listen, server: false', async () => {
  const only = await loadConfig(join(FIXTURES, 'servers-only.yaml'));
  assert.equal(only.server, null);
  assert.deepEqual(only.servers, ['127.0.0.1:4730', '127.0.0.1:4731']);
  const zero = await loadConfig(join(FIXTURES, 'server-port-zero.yaml'));
  assert.deepEqual({ ...zero.server, store: undefined }, { host: '0.0.0.0', port: 0, store: undefined });
  assert.deepEqual(zero.servers, ['127.0.0.1:0']); // the daemon substitutes the bound port
  const bare = valid('server:\nworkers:\n  a:\n    module: a.ts\n').server;
  assert.deepEqual([bare?.host, bare?.port, bare?.store.kind], ['127.0.0.1', 4730, 'sqlite']);
  assert.deepEqual(valid('server: { store: memory }\nworkers: {}\n').server?.store, { kind: 'memory' });
  const badStore = validateConfigText('server: { store: "sqlite:" }\nworkers: {}\n', 'w.yaml', { fs: anyFs });
  assert.equal(badStore.ok, false);
  if (!badStore.ok) assert.match(badStore.issues[0]!.message, /bad job store "sqlite:": no file path/);
  assert.deepEqual(valid('server: { listen: ":4799" }\nworkers: {}\n').servers, ['127.0.0.1:4799']);
  assert.deepEqual(valid('server: { listen: "[::]:4800" }\nworkers: {}\n').servers, ['[::1]:4800']);
  const external = validateConfigText('server: false\nworkers:\n  a:\n    module: a.ts\n', 'w.yaml', { fs: anyFs });
  assert.equal(external.ok, false);
  if (!external.ok)
    assert.equal(external.issues[0]!.message, 'no job servers: list some under `servers:` or add a `server:` block');
  assert.deepEqual(valid('server: false\nworkers: {}\n').server, null);
});

test('paths resolve relative to the config file; commands keep bare names for PATH', () => {
  const c = valid(
    'workers:\n' +
      '  a:\n    module: ./lib/a.mjs\n    cwd: ../run\n' +
      '  b:\n    command: ./bin/w --x\n    cwd: sub\n' +
      '  c:\n    process: [php, w.php]\n',
  );
  assert.equal(c.programs[0]!.spec.modulePath, '/srv/app/lib/a.mjs');
  assert.equal(c.programs[0]!.spec.cwd, '/srv/run');
  assert.deepEqual(c.programs[1]!.spec.command, ['/srv/app/sub/bin/w', '--x']);
  assert.deepEqual(c.programs[2]!.spec.command, ['php', 'w.php']);
  assert.equal(c.programs[2]!.spec.cwd, '/srv/app');
  assert.equal(valid('state_dir: /var/lib/gmsup\nworkers: {}\n').stateDir, '/var/lib/gmsup');
});

test('anchors and aliases work for shared settings; x- keys are ignored', () => {
  const c = valid(
    'x-env: &env { A: "1" }\n' +
      'workers:\n  a:\n    module: a.ts\n    env: *env\n  b:\n    module: b.ts\n    x-note: ignored\n    env: *env\n',
  );
  assert.deepEqual(
    c.programs.map((p) => p.spec.env),
    [{ A: '1' }, { A: '1' }],
  );
  const d = valid(
    'workers:\n  a:\n    module: a.ts\n    restart: &r { retries: 9 }\n  b:\n    module: b.ts\n    restart: *r\n',
  );
  assert.equal(d.programs[1]!.restart.startRetries, 9);
  const m = valid(
    'x-base: &base { concurrency: 4, timeout: 5s }\nworkers:\n  a:\n    <<: *base\n    module: a.ts\n    timeout: 1s\n',
  );
  assert.deepEqual([m.programs[0]!.spec.concurrency, m.programs[0]!.spec.timeoutMs], [4, 1000]);
  const bad = validateConfigText(
    'x-base: &base { concurency: 4 }\nworkers:\n  a:\n    <<: *base\n    module: a.ts\n',
    'w.yaml',
    { fs: anyFs },
  );
  assert.deepEqual(bad.ok ? [] : bad.issues.map((i) => `${i.line}:${i.col} ${i.path}`), ['1:17 workers.a.concurency']);
});

test('the example config at the repo root is valid', async () => {
  const file = fileURLToPath(new URL('../../../workers.example.yaml', import.meta.url));
  const c = await loadConfig(file, { cpuCount: 2 });
  assert.deepEqual(
    c.programs.map((p) => [p.name, p.spec.kind, p.instances]),
    [
      ['reverse', 'module', 2],
      ['wc', 'command', 2],
      ['progress', 'module', 1],
    ],
  );
  assert.deepEqual(c.servers, ['127.0.0.1:4730']);
});

test('server.max_packet_size: a size up to the protocol limit, given to the embedded server', () => {
  const c = valid('server: { listen: ":4799", max_packet_size: 1GiB }\nworkers: {}\n');
  assert.deepEqual([c.server?.host, c.server?.port, c.server?.maxPacketBytes], ['127.0.0.1', 4799, 1024 ** 3]);
  assert.equal(valid('server: { max_packet_size: 4294967295 }\nworkers: {}\n').server?.maxPacketBytes, 0xffffffff);
});
