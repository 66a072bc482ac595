// The `autoscale:` block of a worker: defaults, `false` turning a guard off, every problem at its
// position, and how a reload classifies a change of it (a live update; the count is the autoscaler's).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { diffConfigs } from '../../../src/config/diff.js';
import { loadConfig, validateConfigText } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';
import { GmsupError } from '../../../src/shared/errors.js';
import { describeDiff } from '../../../src/supervisor/reload-plan.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
const FS = { isFile: () => true, isDir: () => true, onPath: () => true };

function config(workerYaml: string): Config {
  const r = validateConfigText(`workers:\n  w:\n    module: w.ts\n${workerYaml}`, '/srv/app/workers.yaml', {
    cpuCount: 2,
    fs: FS,
  });
  if (!r.ok) assert.fail(r.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n'));
  return r.config;
}

test('autoscale: the four keys with their defaults, the start count is min', () => {
  const p = config('    autoscale: { max: 8 }\n').programs[0]!;
  assert.deepEqual(p.autoscale, {
    minInstances: 1,
    maxInstances: 8,
    targetWaitMs: 2000,
    cooldownMs: 30_000,
    maxLoadPerCore: 2,
    minFreeMemoryBytes: 256 * 2 ** 20,
  });
  assert.equal(p.instances, 1);
  const q = config(
    '    autoscale: { min: 0, max: 16, target_wait: 500ms, cooldown: 1m,\n' +
      '      max_load_per_core: 1.5, min_free_memory: 1GiB }\n',
  ).programs[0]!;
  assert.deepEqual(q.autoscale, {
    minInstances: 0,
    maxInstances: 16,
    targetWaitMs: 500,
    cooldownMs: 60_000,
    maxLoadPerCore: 1.5,
    minFreeMemoryBytes: 2 ** 30,
  });
  assert.equal(q.instances, 0);
  const off = config('    autoscale: { max: 2, max_load_per_core: false, min_free_memory: false }\n').programs[0]!;
  assert.equal(off.autoscale?.maxLoadPerCore, null);
  assert.equal(off.autoscale?.minFreeMemoryBytes, null);
  assert.equal(config('    instances: 3\n').programs[0]!.autoscale, null);
});

test('autoscale problems are reported at their positions', async () => {
  const err = await loadConfig(join(FIXTURES, 'bad-autoscale.yaml'), { cpuCount: 4 }).then(
    () => assert.fail('should be invalid'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GmsupError);
  assert.equal(err.exitCode, 2);
  const issues = (err as GmsupError & { issues: Array<{ line: number; col: number; path: string; message: string }> })
    .issues;
  assert.deepEqual(
    issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`),
    [
      '4:5 workers.a.instances: use either autoscale or instances, not both',
      '8:31 workers.b.autoscale.max: must not be below min (5), got 2',
      '8:47 workers.b.autoscale.target_wait: must be longer than 0',
      '8:60 workers.b.autoscale.cooldown: must be at most 1h',
      '11:5 workers.c.autoscale.max: autoscale needs max (the most instances it may run)',
      '11:26 workers.c.autoscale.max_load: unknown key ' +
        '(known keys: min, max, target_wait, cooldown, max_load_per_core, min_free_memory)',
      '14:5 workers.d.autoscale: autoscale needs the job reports of module and command workers ' +
        '(a process worker runs its jobs unseen)',
      '17:16 workers.e.autoscale: expected a map like { min: 1, max: 8 }, got number 4',
      '20:45 workers.f.autoscale.max_load_per_core: must be greater than 0, got -1',
      '20:66 workers.f.autoscale.min_free_memory: bad size "lots": use bytes or a unit B, KB, MB, GB, KiB, MiB, GiB ' +
        '(e.g. 512MB, 1GiB)',
    ],
  );
});

test('a reload: new bounds are a live update, never a count change; switching to and from autoscale too', () => {
  const fixed = config('    instances: 2\n');
  const as18 = config('    autoscale: { min: 1, max: 8 }\n');
  const as28 = config('    autoscale: { min: 2, max: 8 }\n');
  const plan = (a: Config, b: Config) => describeDiff(diffConfigs(a, b)).map((e) => `${e.action}: ${e.detail}`);
  assert.deepEqual(
    diffConfigs(as18, as28).updated.map((c) => c.liveFields),
    [['autoscale']],
  );
  assert.deepEqual(plan(as18, as28), ['update: no restart; autoscale 1..8 -> 2..8']);
  assert.deepEqual(plan(fixed, as18), ['update: no restart; 2 instances -> autoscale 1..8']);
  assert.deepEqual(plan(as18, fixed), ['update: no restart; autoscale 1..8 -> 2 instances']);
  assert.deepEqual(plan(as18, as18), ['unchanged: no change']);
  const restart = config('    autoscale: { min: 2, max: 8 }\n    concurrency: 4\n');
  assert.deepEqual(plan(as18, restart), ['restart: rolling restart (concurrency changed); autoscale 1..8 -> 2..8']);
});
