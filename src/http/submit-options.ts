// What a submission asks for, read from gearmand's X-Gearman-* request headers (and, on /v1, the same
// settings as query parameters), each checked with a clear message instead of gearmand's silent
// fallbacks (an unknown priority is a 400 here, not NORMAL). Pure.

import type { IncomingHttpHeaders } from 'node:http';
import type { Api } from './routes.js';

/** gearmand 1.1.20 answers a longer unique with ERROR ARGUMENT_TOO_LARGE. */
export const MAX_UNIQUE_BYTES = 64;
/** A request may ask for a foreground timeout up to this (X-Gearman-Timeout / ?timeout=). */
export const MAX_REQUEST_TIMEOUT_MS = 3_600_000;

export type PriorityName = 'high' | 'normal' | 'low';

export interface SubmitOptions {
  fn: Buffer;
  /** Empty = none: the job coalesces with nothing. `-` coalesces on the payload, as in the binary protocol. */
  unique: Buffer;
  priority: PriorityName;
  background: boolean;
  /** Ask the server for WORK_EXCEPTION (OPTION_REQ exceptions) so the exception text is answered. */
  exceptions: boolean;
  /** How long a foreground request waits for the job's end. */
  timeoutMs: number;
  /** JSON only: binary fields as base64 even when they are UTF-8. */
  forceBase64: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** One setting from its header and (v1 only) its query parameter; both given and different is an error. */
function setting(
  api: Api,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  name: string,
): Parsed<string | undefined> {
  const h = header(headers, `x-gearman-${name}`);
  const q = api === 'v1' ? (query.get(name) ?? undefined) : undefined;
  if (h !== undefined && q !== undefined && h !== q) {
    return { ok: false, message: `X-Gearman-${cap(name)}: ${h} and ?${name}=${q} disagree: give one` };
  }
  return { ok: true, value: h ?? q };
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function parseSubmitOptions(
  api: Api,
  fn: Buffer,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  defaultTimeoutMs: number,
): Parsed<SubmitOptions> {
  if (fn.includes(0)) return { ok: false, message: 'the function name contains a NUL byte' };
  const read = (name: string) => setting(api, headers, query, name);

  const u = read('unique');
  if (!u.ok) return u;
  // Headers arrive as latin1 (byte per char); query parameters are UTF-8 text.
  const unique = u.value === undefined ? Buffer.alloc(0) : Buffer.from(u.value, api === 'v1' ? 'utf8' : 'latin1');
  if (unique.length > MAX_UNIQUE_BYTES) {
    return { ok: false, message: `the unique is ${unique.length} bytes; at most ${MAX_UNIQUE_BYTES} are allowed` };
  }
  if (unique.includes(0)) return { ok: false, message: 'the unique contains a NUL byte' };

  const p = read('priority');
  if (!p.ok) return p;
  const priority = (p.value ?? 'normal').toLowerCase();
  if (priority !== 'high' && priority !== 'normal' && priority !== 'low') {
    return { ok: false, message: `unknown priority ${JSON.stringify(p.value)}: use high, normal or low` };
  }

  const b = read('background');
  if (!b.ok) return b;
  const bg = (b.value ?? 'false').toLowerCase();
  if (bg !== 'true' && bg !== 'false') {
    return { ok: false, message: `background must be true or false, got ${JSON.stringify(b.value)}` };
  }

  const e = read('exceptions');
  if (!e.ok) return e;
  const exc = (e.value ?? (api === 'v1' ? 'true' : 'false')).toLowerCase();
  if (exc !== 'true' && exc !== 'false') {
    return { ok: false, message: `exceptions must be true or false, got ${JSON.stringify(e.value)}` };
  }

  const t = read('timeout');
  if (!t.ok) return t;
  let timeoutMs = defaultTimeoutMs;
  if (t.value !== undefined) {
    const seconds = /^\d+(\.\d+)?$/.test(t.value) ? Number(t.value) : Number.NaN;
    if (!(seconds > 0) || seconds * 1000 > MAX_REQUEST_TIMEOUT_MS) {
      return {
        ok: false,
        message:
          `timeout must be seconds above 0 and at most ${MAX_REQUEST_TIMEOUT_MS / 1000}, ` +
          `got ${JSON.stringify(t.value)}`,
      };
    }
    timeoutMs = Math.ceil(seconds * 1000);
  }

  const enc = api === 'v1' ? query.get('encoding') : null;
  if (enc !== null && enc !== 'base64' && enc !== 'auto') {
    return { ok: false, message: `encoding must be auto or base64, got ${JSON.stringify(enc)}` };
  }

  return {
    ok: true,
    value: {
      fn,
      unique,
      priority,
      background: bg === 'true',
      exceptions: exc === 'true',
      timeoutMs,
      forceBase64: enc === 'base64',
    },
  };
}
