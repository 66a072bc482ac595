// Admin line splitting (gearmand's rules) and parsing of list replies.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStatus, parseWorkers, splitAdminLine, parsePriorityStatus } from '../../../src/protocol/admin-text.js';

test('splitAdminLine follows gearmand', () => {
  assert.deepEqual(splitAdminLine('status'), ['status']);
  assert.deepEqual(splitAdminLine('show   jobs'), ['show', 'jobs']);
  assert.deepEqual(splitAdminLine(' status'), ['', 'status']);
  assert.deepEqual(splitAdminLine('a\tb'), ['a\tb']);
  assert.deepEqual(splitAdminLine(''), ['']);
  assert.deepEqual(splitAdminLine('a b c d e'), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(splitAdminLine('a b c d e f'), null);
});

test('parse status, prioritystatus and workers replies', () => {
  assert.deepEqual(parseStatus('fbg\t4\t0\t0\nrev\t0\t0\t2\n.\n'), [
    { name: 'fbg', total: 4, running: 0, availableWorkers: 0 },
    { name: 'rev', total: 0, running: 0, availableWorkers: 2 },
  ]);
  assert.deepEqual(parseStatus('.\n'), []);
  assert.deepEqual(parsePriorityStatus('fbg\t1\t2\t1\t0\n.\n'), [
    { name: 'fbg', high: 1, normal: 2, low: 1, availableWorkers: 0 },
  ]);
  assert.deepEqual(parseWorkers('39 127.0.0.1 my-worker-1 : fc fb fa\n38 127.0.0.1 - :\n.\n'), [
    { fd: 39, ip: '127.0.0.1', clientId: 'my-worker-1', functions: ['fc', 'fb', 'fa'] },
    { fd: 38, ip: '127.0.0.1', clientId: '-', functions: [] },
  ]);
  assert.throws(() => parseStatus('x\t1\n'));
});
