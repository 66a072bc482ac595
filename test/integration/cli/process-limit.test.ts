// `gmsup check` and `gmsup start` against the process limit of this machine (issue 11 defect 8): a file
// asking for thousands of module workers is refused with the numbers, a busy one warns, max_processes
// allows more.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { machineMemoryBytes } from '../../../src/config/load.js';
import { processBudget } from '../../../src/config/process-limit.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { BIN } from '../daemon/daemon-harness.js';

function gmsup(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const workers = (count: number, instances: number) =>
  Array.from({ length: count }, (_, i) => `  w${i}:\n    module: h.mjs\n    instances: ${instances}\n`).join('');

test('thousands of module workers are refused with the numbers; a busy file warns; max_processes allows', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'h.mjs'), 'export default () => "";\n');
  const machine = { cpuCount: availableParallelism(), memoryBytes: machineMemoryBytes() };
  const file = join(dir, 'workers.yaml');

  // 5 x 1000 module workers: 5005 processes with their warm spares.
  writeFileSync(file, `server: { listen: 127.0.0.1:0 }\nworkers:\n${workers(5, 1000)}`);
  const expected = processBudget(
    Array.from({ length: 5 }, () => ({ instances: 1000, spec: { kind: 'module' } as never })),
    machine,
    null,
  );
  assert.equal(expected.level, 'refuse', 'this test needs a machine below about 250 GiB of memory');
  const refused = gmsup(dir, 'check', file);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(
    refused.stderr,
    new RegExp(`workers\\.yaml:2:1 workers: 5005 processes .* exceed the limit of ${expected.refuseAbove}`),
  );
  const start = gmsup(dir, 'start', file);
  assert.equal(start.status, 2, 'start refuses it too, before anything runs');

  // Just above the warning threshold: accepted with a warning that carries the numbers.
  const busy = expected.warnAbove; // one worker with this many instances + 1 spare
  writeFileSync(file, `server: { listen: 127.0.0.1:0 }\nworkers:\n${workers(1, busy)}`);
  const warned = gmsup(dir, 'check', file);
  assert.equal(warned.status, 0, warned.stderr);
  assert.match(
    warned.stdout,
    new RegExp(`^warning: ${busy + 1} processes .* more than the ${expected.warnAbove} recommended`, 'm'),
  );
  const json = JSON.parse(gmsup(dir, 'check', file, '--json').stdout);
  assert.equal(json.warnings.length, 1);

  // max_processes: the owner decides.
  writeFileSync(file, `max_processes: ${busy + 1}\nserver: { listen: 127.0.0.1:0 }\nworkers:\n${workers(1, busy)}`);
  const allowed = gmsup(dir, 'check', file);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.doesNotMatch(allowed.stdout, /warning/);
});
