// The process limit (issue 11 defect 8): the counts, the warn and refuse thresholds of the documented
// formula, and max_processes replacing both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processBudget } from '../../../src/config/process-limit.js';

const mod = (instances: number) => ({ instances, spec: { kind: 'module' as const } as never });
const cmd = (instances: number) => ({ instances, spec: { kind: 'command' as const } as never });
const GiB = 2 ** 30;

test('processes = instances + one warm spare per module worker; warn and refuse thresholds', () => {
  const machine = { cpuCount: 2, memoryBytes: 4 * GiB }; // fits 81 processes of 50 MiB
  const small = processBudget([mod(2), cmd(3)], machine, null);
  assert.equal(small.processes, 6);
  assert.equal(small.warnAbove, 40); // min(32 x 2, 81 / 2)
  assert.equal(small.refuseAbove, 81);
  assert.equal(small.level, 'ok');
  assert.equal(small.message, null);
  const busy = processBudget([mod(40)], machine, null);
  assert.equal(busy.level, 'warn');
  assert.match(busy.message ?? '', /^41 processes \(40 module instance\(s\) \+ 1 warm spare\(s\)/);
  const huge = processBudget(
    Array.from({ length: 5 }, () => mod(1000)),
    machine,
    null,
  );
  assert.equal(huge.processes, 5005);
  assert.equal(huge.level, 'refuse');
  assert.match(huge.message ?? '', /5005 processes .* exceed the limit of 81 for this machine \(2 CPU\(s\), 4\.0 GiB/);
  const allowed = processBudget([mod(40)], machine, 100);
  assert.equal(allowed.level, 'ok', 'max_processes silences the warning below it');
  assert.equal(processBudget([mod(100)], machine, 100).level, 'refuse');
  const big = processBudget([mod(100)], { cpuCount: 64, memoryBytes: 256 * GiB }, null);
  assert.equal(big.warnAbove, 2048);
  assert.equal(big.level, 'ok');
});
