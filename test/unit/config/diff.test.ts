// Reload diffs: added / removed / changed (restart) / scaled (count only) / updated (daemon-side only) /
// unchanged, server changes, and the plan `gmsup check` prints. Configs come from real YAML text.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffConfigs, isEmptyDiff } from '../../../src/config/diff.js';
import { describeDiff } from '../../../src/supervisor/reload-plan.js';
import { validateConfigText } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';

function config(text: string, cpuCount = 4): Config {
  const r = validateConfigText(text, '/srv/app/workers.yaml', {
    cpuCount,
    fs: { isFile: () => true, isDir: () => true, onPath: () => true },
  });
  if (!r.ok) assert.fail(r.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n'));
  return r.config;
}

const BASE = `
server: { listen: 127.0.0.1:4730 }
workers:
  reverse:
    module: reverse.ts
    per_core: 1
  wc:
    command: wc -l
    instances: 2
  slow:
    module: slow.ts
    timeout: 30s
`;

test('the same file twice is an empty diff, even when keys moved', () => {
  const a = config(BASE);
  const b = config(
    `\n\n${BASE.replace('    per_core: 1\n', '').replace('module: reverse.ts', 'module: reverse.ts\n    per_core: 1')}`,
  );
  const d = diffConfigs(a, b);
  assert.ok(isEmptyDiff(d));
  assert.deepEqual(
    d.unchanged.map((p) => p.name),
    ['reverse', 'wc', 'slow'],
  );
  assert.deepEqual(
    describeDiff(d).map((e) => e.action),
    ['unchanged', 'unchanged', 'unchanged'],
  );
});

test('added and removed workers', () => {
  const next = config(`${BASE.replace(/ {2}wc:\n.*\n.*\n/, '')}  upper:\n    command: tr a-z A-Z\n    instances: 3\n`);
  const d = diffConfigs(config(BASE), next);
  assert.deepEqual(
    d.added.map((p) => p.name),
    ['upper'],
  );
  assert.deepEqual(
    d.removed.map((p) => p.name),
    ['wc'],
  );
  assert.deepEqual(describeDiff(d), [
    { worker: 'reverse', action: 'unchanged', detail: 'no change' },
    { worker: 'slow', action: 'unchanged', detail: 'no change' },
    { worker: 'upper', action: 'start', detail: 'new: start 3 instances' },
    { worker: 'wc', action: 'stop', detail: 'removed: drain and stop 2 instances' },
  ]);
});

test('a restart field change is a rolling restart, listing the fields and any count change', () => {
  const next = config(
    BASE.replace('timeout: 30s', 'timeout: 1m\n    env: { A: "1" }')
      .replace('instances: 2', 'instances: 3')
      .replace('wc -l', 'wc -w'),
  );
  const d = diffConfigs(config(BASE), next);
  assert.deepEqual(
    d.changed.map((c) => [c.name, c.restartFields]),
    [
      ['wc', ['command']],
      ['slow', ['env', 'timeoutMs']],
    ],
  );
  assert.deepEqual(d.scaled, []);
  const plan = describeDiff(d);
  assert.deepEqual(
    plan.find((e) => e.worker === 'wc'),
    { worker: 'wc', action: 'restart', detail: 'rolling restart (command changed); 2 -> 3 instances' },
  );
  assert.deepEqual(
    plan.find((e) => e.worker === 'slow'),
    { worker: 'slow', action: 'restart', detail: 'rolling restart (env, timeoutMs changed)' },
  );
});

test('a count-only change scales without restarting; per_core follows the CPU count', () => {
  const d = diffConfigs(config(BASE), config(BASE.replace('instances: 2', 'instances: 5')));
  assert.deepEqual(
    d.scaled.map((c) => [c.name, c.fromInstances, c.toInstances]),
    [['wc', 2, 5]],
  );
  assert.deepEqual(d.changed, []);
  assert.deepEqual(
    describeDiff(d).find((e) => e.worker === 'wc'),
    { worker: 'wc', action: 'scale', detail: '2 -> 5 instances, no restart' },
  );
  // Same file, another machine size: reverse (per_core: 1) scales 4 -> 2.
  const cpu = diffConfigs(config(BASE, 4), config(BASE, 2));
  assert.deepEqual(
    cpu.scaled.map((c) => [c.name, c.fromInstances, c.toInstances]),
    [['reverse', 4, 2]],
  );
  // per_core: 1 -> instances: 4 on 4 CPUs keeps the count: a daemon-side update only.
  const same = diffConfigs(config(BASE), config(BASE.replace('per_core: 1', 'instances: 4')));
  assert.deepEqual(
    same.updated.map((c) => [c.name, c.liveFields]),
    [['reverse', ['perCore']]],
  );
});

test('daemon-side settings (memory, lifetime, restart policy) update in place', () => {
  const next = config(BASE.replace('timeout: 30s', 'timeout: 30s\n    max_memory: 1GiB\n    restart: { retries: 7 }'));
  const d = diffConfigs(config(BASE), next);
  assert.deepEqual(
    d.updated.map((c) => [c.name, c.liveFields]),
    [['slow', ['maxMemoryBytes', 'restart']]],
  );
  assert.deepEqual(
    describeDiff(d).find((e) => e.worker === 'slow'),
    { worker: 'slow', action: 'update', detail: 'no restart; updates maxMemoryBytes, restart' },
  );
  assert.ok(!isEmptyDiff(d));
});

test('moving the embedded server changes it and restarts every worker that used it', () => {
  const d = diffConfigs(config(BASE), config(BASE.replace('127.0.0.1:4730', '127.0.0.1:4731')));
  assert.equal(d.serverChanged, true);
  assert.equal(d.serversChanged, true);
  assert.deepEqual(
    d.changed.map((c) => [c.name, c.restartFields]),
    [
      ['reverse', ['servers']],
      ['wc', ['servers']],
      ['slow', ['servers']],
    ],
  );
});

test('adding an external server keeps the embedded one but changes the servers list', () => {
  const next = config(`servers: [127.0.0.1:4730, 127.0.0.1:4740]\n${BASE}`);
  const d = diffConfigs(config(BASE), next);
  assert.equal(d.serverChanged, false);
  assert.equal(d.serversChanged, true);
  assert.equal(d.changed.length, 3);
  const noServer = diffConfigs(config(BASE), config(`servers: [127.0.0.1:4730]\n${BASE.replace(/server: .*\n/, '')}`));
  assert.deepEqual([noServer.serverChanged, noServer.serversChanged, noServer.changed.length], [true, false, 0]);
});

test('logs and state_dir changes are reported', () => {
  const d = diffConfigs(config(BASE), config(`logs: { keep: 9 }\nstate_dir: /tmp/s\n${BASE}`));
  assert.deepEqual([d.logsChanged, d.stateDirChanged], [true, true]);
});

test('bindEmbeddedServer puts the bound port where the config says host:0', async () => {
  const { bindEmbeddedServer } = await import('../../../src/config/embedded.js');
  const text =
    'server: { listen: "0.0.0.0:0" }\n' +
    'workers:\n  a:\n    module: a.ts\n  b:\n    module: b.ts\n    servers: [127.0.0.1:4740]\n';
  const loaded = config(text);
  assert.deepEqual(loaded.servers, ['127.0.0.1:0']);
  const bound = bindEmbeddedServer(loaded, { host: '0.0.0.0', port: 41234 });
  assert.deepEqual(bound.servers, ['127.0.0.1:41234']);
  assert.deepEqual(
    bound.programs.map((p) => p.spec.servers),
    [['127.0.0.1:41234'], ['127.0.0.1:4740']],
  );
  assert.deepEqual([bound.server?.host, bound.server?.port], ['0.0.0.0', 0]);
  assert.ok(Object.isFrozen(bound) && Object.isFrozen(bound.programs[0]!.spec.servers));
  // Bound the same way on reload, an unchanged file diffs as unchanged.
  assert.ok(isEmptyDiff(diffConfigs(bound, bindEmbeddedServer(config(text), { host: '0.0.0.0', port: 41234 }))));
  const fixed = config(BASE);
  assert.equal(bindEmbeddedServer(fixed, { host: '127.0.0.1', port: 4730 }), fixed);
});
