// Pure request handling of the HTTP listener: routes (gearmand's path rule vs gmsup's own endpoints),
// X-Gearman-* settings with their 400s, and the token/loopback rules.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkHttpExposure, isLoopbackHost, resolveToken, tokenMatches } from '../../../src/http/auth.js';
import { percentDecode, routeOf, splitTarget } from '../../../src/http/routes.js';
import { parseSubmitOptions } from '../../../src/http/submit-options.js';

describe('routes', () => {
  const fnOf = (method: string, target: string): string | null => {
    const r = routeOf(method, target);
    return r.kind === 'submit' ? r.fn.toString('latin1') : null;
  };

  test("gearmand's rule: leading slashes skipped, the rest verbatim, the query string dropped", () => {
    assert.equal(fnOf('POST', '/reverse'), 'reverse');
    assert.equal(fnOf('PUT', '///a/b'), 'a/b');
    assert.equal(fnOf('GET', '/my%20func?x=1'), 'my%20func');
    assert.equal(fnOf('POST', 'http://127.0.0.1:8080/absfn'), 'absfn');
    // GET and HEAD of gmsup's own paths are its endpoints; POST to them submits to that function.
    assert.equal(routeOf('GET', '/metrics').kind, 'metrics');
    assert.equal(routeOf('HEAD', '/healthz').kind, 'healthz');
    assert.equal(fnOf('POST', '/status'), 'status');
  });

  test('empty function, other methods and bad targets are refused with the right status', () => {
    const r = (m: string, t: string) => routeOf(m, t);
    assert.deepEqual(
      [r('POST', '/'), r('GET', '//'), r('DELETE', '/x'), r('HEAD', '/x'), r('OPTIONS', '*')].map((x) =>
        x.kind === 'refused' ? [x.status, x.allow ?? null] : x.kind,
      ),
      [
        [404, null],
        [404, null],
        [405, 'GET, POST, PUT'],
        [405, 'GET, POST, PUT'],
        [400, null],
      ],
    );
  });

  test('/v1: POST submits (percent-decoded to bytes), GET reads a status, anything else is refused', () => {
    const s = routeOf('POST', '/v1/jobs/caf%C3%A9%FF');
    assert.ok(s.kind === 'submit' && s.api === 'v1');
    assert.deepEqual([...s.fn], [...Buffer.from('café', 'utf8'), 0xff]);
    const st = routeOf('GET', '/v1/jobs/H%3Ahost%3A12');
    assert.ok(st.kind === 'job-status' && st.handle.toString() === 'H:host:12');
    const u = routeOf('GET', '/v1/jobs?unique=abc');
    assert.ok(u.kind === 'unique-status' && u.unique.toString() === 'abc');
    for (const [m, t, status] of [
      ['GET', '/v1/jobs', 400],
      ['POST', '/v1/jobs/', 404],
      ['PUT', '/v1/jobs/x', 405],
      ['GET', '/v1/other', 404],
      ['POST', '/v1/jobs/%zz', 400],
    ] as const) {
      const x = routeOf(m, t);
      assert.ok(x.kind === 'refused' && x.status === status && x.api === 'v1', `${m} ${t}: ${JSON.stringify(x)}`);
    }
  });

  test('percentDecode and splitTarget', () => {
    assert.equal(percentDecode('a%2Fb')?.toString(), 'a/b');
    assert.equal(percentDecode('%4'), null);
    assert.deepEqual(splitTarget('https://h:1/p?q=1'), { path: '/p', query: 'q=1' });
    assert.deepEqual(splitTarget('http://h'), { path: '/', query: '' });
    assert.equal(splitTarget('*'), null);
  });
});

describe('submit options', () => {
  const fn = Buffer.from('f');
  const parse = (api: 'gearmand' | 'v1', headers: Record<string, string>, query = '') =>
    parseSubmitOptions(api, fn, headers, new URLSearchParams(query), 60_000);

  test('defaults: no unique, normal, foreground, exceptions only on /v1, the listener timeout', () => {
    const g = parse('gearmand', {});
    assert.ok(g.ok);
    assert.deepEqual(
      { ...g.value, fn: g.value.fn.toString(), unique: g.value.unique.toString() },
      {
        fn: 'f',
        unique: '',
        priority: 'normal',
        background: false,
        exceptions: false,
        timeoutMs: 60_000,
        forceBase64: false,
      },
    );
    const v = parse('v1', {});
    assert.ok(v.ok && v.value.exceptions);
  });

  test('headers any case, query parameters on /v1, and the values gearmand accepts', () => {
    const h = parse('gearmand', {
      'x-gearman-priority': 'HIGH',
      'x-gearman-background': 'TRUE',
      'x-gearman-unique': 'job-42',
      'x-gearman-timeout': '2.5',
    });
    assert.ok(h.ok);
    assert.equal(h.value.priority, 'high');
    assert.equal(h.value.background, true);
    assert.equal(h.value.unique.toString(), 'job-42');
    assert.equal(h.value.timeoutMs, 2500);
    const q = parse('v1', {}, 'priority=low&background=false&unique=%C3%A9&encoding=base64&exceptions=false');
    assert.ok(q.ok);
    assert.deepEqual(
      [q.value.priority, q.value.background, q.value.exceptions, q.value.forceBase64],
      ['low', false, false, true],
    );
    assert.deepEqual([...q.value.unique], [0xc3, 0xa9]);
    // The query string is ignored on gearmand's routes (gearmand makes it part of the function name).
    const ignored = parse('gearmand', {}, 'priority=bogus');
    assert.ok(ignored.ok && ignored.value.priority === 'normal');
  });

  test('bad values are a clear error instead of a silent default', () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ 'x-gearman-priority': 'urgent' }, '', /unknown priority "urgent": use high, normal or low/],
      [{ 'x-gearman-background': '1' }, '', /background must be true or false/],
      [{ 'x-gearman-unique': 'u'.repeat(65) }, '', /65 bytes; at most 64/],
      [{ 'x-gearman-timeout': '0' }, '', /timeout must be seconds above 0/],
      [{ 'x-gearman-timeout': '3601' }, '', /at most 3600/],
      [{ 'x-gearman-priority': 'high' }, 'priority=low', /disagree/],
      [{}, 'encoding=hex', /encoding must be auto or base64/],
      [{}, 'unique=a%00b', /NUL/],
    ];
    for (const [headers, query, re] of cases) {
      const r = parse('v1', headers, query);
      assert.ok(!r.ok && re.test(r.message), `${JSON.stringify(headers)} ${query}: ${JSON.stringify(r)}`);
    }
    const nul = parseSubmitOptions('v1', Buffer.from('a\0b'), {}, new URLSearchParams(), 1000);
    assert.ok(!nul.ok && /NUL/.test(nul.message));
  });
});

describe('token and exposure', () => {
  const TOKEN = 'a-token-of-enough-length';

  test('loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
  });

  test('a non-loopback listen needs a token of at least 16 characters', () => {
    assert.doesNotThrow(() => checkHttpExposure('127.0.0.1', null, 'x'));
    assert.doesNotThrow(() => checkHttpExposure('0.0.0.0', TOKEN, 'x'));
    assert.throws(
      () => checkHttpExposure('0.0.0.0', null, '--http 0.0.0.0:8080'),
      (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && /without a token/.test(e.message),
    );
    assert.throws(() => checkHttpExposure('127.0.0.1', 'short', 'x'), /at least 16/);
  });

  test('token from the argument, else GMSUP_HTTP_TOKEN', () => {
    assert.equal(resolveToken('given', { GMSUP_HTTP_TOKEN: 'env' }), 'given');
    assert.equal(resolveToken(null, { GMSUP_HTTP_TOKEN: 'env' }), 'env');
    assert.equal(resolveToken(undefined, {}), null);
  });

  test('bearer token match', () => {
    assert.ok(tokenMatches(`Bearer ${TOKEN}`, TOKEN));
    assert.ok(tokenMatches(`bearer ${TOKEN}`, TOKEN));
    assert.ok(!tokenMatches(`Bearer ${TOKEN}x`, TOKEN));
    assert.ok(!tokenMatches(`Basic ${TOKEN}`, TOKEN));
    assert.ok(!tokenMatches(undefined, TOKEN));
  });
});
