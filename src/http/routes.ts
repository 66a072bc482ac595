// Which endpoint a request is for, from its method and request target alone. Pure. The gearmand-compatible
// routes take every path as a function name; gmsup's own endpoints are GET/HEAD of /metrics, /status,
// /healthz and everything under /v1/ (docs/http.md has the table).

export type Api = 'gearmand' | 'v1';

export type Route =
  | { kind: 'metrics' | 'status' | 'healthz' }
  | { kind: 'submit'; api: Api; fn: Buffer; query: URLSearchParams; method: string }
  | { kind: 'job-status'; handle: Buffer; query: URLSearchParams }
  | { kind: 'unique-status'; unique: Buffer; query: URLSearchParams }
  | { kind: 'refused'; status: 400 | 404 | 405; api: Api; message: string; allow?: string };

/** Label of a route in gmsup_http_requests_total. */
export function routeLabel(route: Route): string {
  if (route.kind === 'submit') return route.api === 'v1' ? 'v1_submit' : 'submit';
  if (route.kind === 'refused') return route.api === 'v1' ? 'v1_refused' : 'refused';
  if (route.kind === 'job-status' || route.kind === 'unique-status') return 'v1_job_status';
  return route.kind;
}

const OWN_PATHS = new Set(['/metrics', '/status', '/healthz']);
const SUBMIT_METHODS = 'GET, POST, PUT';

/**
 * `%XX` escapes to bytes; other characters as their UTF-8 bytes. Null when an escape is malformed.
 * (decodeURIComponent would refuse bytes that are not UTF-8, which function names may be.)
 */
export function percentDecode(text: string): Buffer | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (ch < 0x80) {
      out.push(ch);
    } else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
    }
  }
  return Buffer.from(out);
}

/** The path and query of a request target (origin-form `/p?q` or absolute-form `http://h/p?q`). */
export function splitTarget(target: string): { path: string; query: string } | null {
  let rest = target;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/.exec(rest);
  if (abs) rest = rest.slice(abs[0].length) || '/';
  if (!rest.startsWith('/')) return null;
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

export function routeOf(method: string, target: string): Route {
  const t = splitTarget(target);
  if (t === null) return { kind: 'refused', status: 400, api: 'gearmand', message: `bad request target ${target}` };
  const query = new URLSearchParams(t.query);
  const { path } = t;
  if (OWN_PATHS.has(path) && (method === 'GET' || method === 'HEAD')) {
    return { kind: path.slice(1) as 'metrics' | 'status' | 'healthz' };
  }
  if (path === '/v1' || path.startsWith('/v1/')) return v1Route(method, path, query);
  // gearmand's rule: every leading '/' skipped, the rest verbatim (no percent-decoding) is the function.
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT') {
    const message = `method ${method} is not supported: submit with POST or PUT (or GET for an empty workload)`;
    return { kind: 'refused', status: 405, api: 'gearmand', message, allow: SUBMIT_METHODS };
  }
  const fn = Buffer.from(path.replace(/^\/+/, ''), 'latin1');
  if (fn.length === 0) {
    return { kind: 'refused', status: 404, api: 'gearmand', message: 'no function in the path: use /FUNCTION' };
  }
  return { kind: 'submit', api: 'gearmand', fn, query, method };
}

function v1Route(method: string, path: string, query: URLSearchParams): Route {
  const refused = (status: 400 | 404 | 405, message: string, allow?: string): Route => ({
    kind: 'refused',
    status,
    api: 'v1',
    message,
    allow,
  });
  if (path === '/v1/jobs' || path === '/v1/jobs/') {
    if (method === 'GET' || method === 'HEAD') {
      const unique = query.get('unique');
      if (unique === null || unique === '') return refused(400, 'GET /v1/jobs needs ?unique=UNIQUE');
      return { kind: 'unique-status', unique: Buffer.from(unique, 'utf8'), query };
    }
    if (method === 'POST') return refused(404, 'no function in the path: use POST /v1/jobs/FUNCTION');
    return refused(405, `method ${method} is not supported on /v1/jobs`, 'GET, POST');
  }
  if (!path.startsWith('/v1/jobs/')) return refused(404, `no such endpoint: ${path}`);
  const name = percentDecode(path.slice('/v1/jobs/'.length));
  if (name === null) return refused(400, `bad percent-escape in ${path}`);
  if (method === 'POST') return { kind: 'submit', api: 'v1', fn: name, query, method };
  if (method === 'GET' || method === 'HEAD') return { kind: 'job-status', handle: name, query };
  return refused(405, `method ${method} is not supported on ${path}`, 'GET, POST');
}
