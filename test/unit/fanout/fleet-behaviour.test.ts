// Pure parts of the fan-out example: latency specs, deterministic failure choice, address scheme.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  failureFor,
  parseFailKinds,
  parseLatency,
  sampleLatencyMs,
  DEFAULT_BEHAVIOUR,
} from '../../../examples/fanout/fleet-behaviour.js';
import { combinedHash, endpointAt, fleetBody, fleetUrls, sha1Hex } from '../../../examples/fanout/targets.js';

test('latency specs parse and sample within their range', () => {
  assert.deepEqual(parseLatency('50'), { kind: 'fixed', ms: 50 });
  assert.deepEqual(parseLatency('fixed:7'), { kind: 'fixed', ms: 7 });
  assert.deepEqual(parseLatency('uniform:20-80'), { kind: 'uniform', minMs: 20, maxMs: 80 });
  assert.deepEqual(parseLatency('normal:50,10'), { kind: 'normal', meanMs: 50, sdMs: 10 });
  for (const bad of ['', 'uniform:80-20', 'normal:5', 'poisson:3', '-1', 'fixed:x'])
    assert.throws(() => parseLatency(bad), /bad latency/, bad);
  const u = parseLatency('uniform:20-80');
  for (let i = 0; i < 1000; i++) {
    const v = sampleLatencyMs(u);
    assert.ok(v >= 20 && v <= 80, String(v));
  }
  const n = parseLatency('normal:50,10');
  const xs = Array.from({ length: 5000 }, () => sampleLatencyMs(n));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean - 50) < 1.5, `mean ${mean}`);
  assert.ok(xs.every((x) => x >= 0));
});

test('failures are deterministic, near the configured rate, and spread over the kinds', () => {
  assert.equal(failureFor(DEFAULT_BEHAVIOUR, 3, 0), null);
  const b = { ...DEFAULT_BEHAVIOUR, failRate: 0.2, failKinds: parseFailKinds('5xx,reset,timeout') };
  const seen = { '5xx': 0, reset: 0, timeout: 0 };
  let fails = 0;
  for (let i = 0; i < 2000; i++) {
    for (let nth = 0; nth < 5; nth++) {
      const f = failureFor(b, i, nth);
      assert.equal(f, failureFor(b, i, nth));
      if (f) {
        fails++;
        seen[f]++;
      }
    }
  }
  assert.ok(Math.abs(fails / 10_000 - 0.2) < 0.02, `rate ${fails / 10_000}`);
  for (const k of Object.values(seen)) assert.ok(k > fails / 5, JSON.stringify(seen));
  const other = { ...b, seed: 2 };
  let differ = 0;
  for (let i = 0; i < 500; i++) if (failureFor(b, i, 0) !== failureFor(other, i, 0)) differ++;
  assert.ok(differ > 50, 'the seed changes the pattern');
  assert.throws(() => parseFailKinds('5xx,boom'), /bad failure kind/);
});

test('the address scheme gives distinct 127.0.x.y hosts, skipping .0 and .255', () => {
  assert.deepEqual(endpointAt(0, 21000), { index: 0, host: '127.0.1.1', port: 21000 });
  assert.deepEqual(endpointAt(249, 21000), { index: 249, host: '127.0.1.250', port: 21249 });
  assert.deepEqual(endpointAt(250, 21000), { index: 250, host: '127.0.2.1', port: 21250 });
  const hosts = new Set(Array.from({ length: 2000 }, (_, i) => endpointAt(i).host));
  assert.equal(hosts.size, 2000);
  assert.equal(fleetUrls(2, 30000)[1], 'http://127.0.1.2:30001/e/1');
  assert.throws(() => endpointAt(2000, 64000), /out of range/);
  assert.notEqual(sha1Hex(fleetBody(1, 64)), sha1Hex(fleetBody(2, 64)));
  assert.equal(fleetBody(5, 3).toString(), 'end');
  assert.notEqual(combinedHash(['a', 'b']), combinedHash(['b', 'a']));
});
