// Pure registration checks (re-register, then restart; unreachable servers never count) and queue alarms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlarmTracker } from '../../../src/supervisor/alarms.js';
import {
  checkRegistration,
  clientIdSets,
  countRegistration,
  type RegistrationTrack,
} from '../../../src/supervisor/registration.js';
import type { ServerInfo } from '../../../src/control/snapshot.js';

const line = (clientId: string, fns: string[]) => ({ fd: 1, ip: '127.0.0.1', clientId, functions: fns });

test('registration counts only reachable servers and ignores connections without functions', () => {
  const sets = clientIdSets(
    new Map([
      ['a:1', [line('h:w:0:10', ['w']), line('h:w:1:11', [])]],
      ['b:1', null],
    ]),
  );
  assert.deepEqual(countRegistration('h:w:0:10', sets, ['a:1', 'b:1']), { registeredOn: 1, reachable: 1 });
  assert.deepEqual(countRegistration('h:w:1:11', sets, ['a:1', 'b:1']), { registeredOn: 0, reachable: 1 });
});

test('a vanished registration: re-register after a while, then restart; never before it was seen', () => {
  let track: RegistrationTrack = { everRegistered: false, missingSinceMs: null, reregisteredAtMs: null };
  const step = (registeredOn: number, reachable: number, now: number) => {
    const r = checkRegistration(track, { registeredOn, reachable }, now, {
      reregisterAfterMs: 3000,
      restartAfterMs: 4000,
    });
    track = r.track;
    return r.action;
  };
  assert.equal(step(0, 1, 0), 'none', 'never registered yet (still connecting): no action');
  assert.equal(step(1, 1, 1000), 'none');
  assert.equal(step(0, 1, 2000), 'none');
  assert.equal(step(0, 1, 4999), 'none');
  assert.equal(step(0, 1, 5000), 'reregister');
  assert.equal(step(0, 1, 8000), 'none');
  assert.equal(step(0, 1, 9000), 'restart');
  assert.equal(step(0, 0, 20_000), 'none', "server unreachable: not the worker's fault");
  track = { everRegistered: true, missingSinceMs: 0, reregisteredAtMs: null };
  assert.equal(step(1, 1, 100_000), 'none');
  assert.equal(track.missingSinceMs, null, 'back: the clock resets');
});

function server(fns: Array<[string, number, number, number]>, reachable = true): ServerInfo {
  return {
    address: 's:1',
    embedded: false,
    reachable,
    error: null,
    polledAtMs: 0,
    store: null,
    functions: fns.map(([f, queued, running, availableWorkers]) => ({
      function: f,
      queued,
      running,
      availableWorkers,
    })),
  };
}

test('alarms: stalled queue, idle workers while jobs wait, no registered worker', () => {
  const a = new AlarmTracker({ stalledAfterMs: 10_000, idleAfterMs: 5000, noWorkersAfterMs: 5000 });
  assert.deepEqual(a.update(0, [server([['f', 5, 1, 1]])], { f: 3 }, ['f']), []);
  assert.deepEqual(
    a.update(9000, [server([['f', 5, 1, 1]])], { f: 3 }, ['f']).map((x) => x.kind),
    [],
  );
  assert.deepEqual(
    a.update(10_000, [server([['f', 5, 1, 1]])], { f: 3 }, ['f']).map((x) => x.kind),
    ['stalled'],
  );
  assert.deepEqual(
    a.update(11_000, [server([['f', 5, 1, 1]])], { f: 4 }, ['f']).map((x) => x.kind),
    [],
    'a completion clears it',
  );
  assert.deepEqual(
    a.update(12_000, [server([['f', 5, 0, 2]])], { f: 4 }, ['f']).map((x) => x.kind),
    [],
  );
  assert.deepEqual(
    a.update(17_000, [server([['f', 5, 0, 2]])], { f: 4 }, ['f']).map((x) => x.kind),
    ['idle-workers'],
  );
  assert.deepEqual(
    a.update(18_000, [server([['f', 2, 0, 0]])], { f: 4 }, ['f']).map((x) => x.kind),
    ['no-workers'],
  );
  assert.deepEqual(
    a.update(18_000, [server([], true)], {}, ['g']).map((x) => x.kind),
    [],
  );
  assert.deepEqual(
    a.update(23_000, [server([], true)], {}, ['g']).map((x) => `${x.kind} ${x.function}`),
    ['no-workers g'],
  );
  assert.deepEqual(a.update(30_000, [server([], false)], {}, ['g']), [], 'unreachable server: no queue alarms');
});

test('a failing job store raises a store-failing alarm at once and clears when it writes again', () => {
  const tracker = new AlarmTracker();
  const failing = {
    ...server([]),
    store: {
      store: 'sqlite:/x/jobs.db',
      state: 'failing' as const,
      sinceMs: 90_000,
      error: 'SQLITE_FULL',
      pendingWrites: 3,
      failedCommits: 2,
    },
  };
  const alarms = tracker.update(100_000, [failing], {}, []);
  assert.deepEqual(alarms, [
    {
      server: 's:1',
      function: '',
      kind: 'store-failing',
      message: 'job store sqlite:/x/jobs.db failing for 10 s: SQLITE_FULL',
    },
  ]);
  const ok = { ...failing, store: { ...failing.store, state: 'ok' as const, error: null } };
  assert.deepEqual(tracker.update(101_000, [ok], {}, []), []);
});
