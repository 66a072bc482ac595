// The machine sample the autoscaler's guard reads: this host's load average, cores and available memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { test } from 'node:test';
import { sampleMachine } from '../../../src/supervisor/samplers.js';

test('sampleMachine: the load average, the cores and MemAvailable of this host', () => {
  const m = sampleMachine();
  assert.equal(m.cpuCount, availableParallelism());
  assert.ok(Number.isFinite(m.loadAvg1) && m.loadAvg1 >= 0, `load ${m.loadAvg1}`);
  assert.ok(m.availableMemoryBytes > 0 && m.availableMemoryBytes <= totalmem(), `${m.availableMemoryBytes} bytes`);
  const kb = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  if (kb !== undefined) {
    // Read again a moment later: the same figure within 256 MiB of churn from everything else running.
    assert.ok(Math.abs(m.availableMemoryBytes - Number(kb) * 1024) < 256 * 2 ** 20);
  }
});
