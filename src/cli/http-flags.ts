// The --http* flags of `gmsup server`: parsed and checked (a non-loopback listen needs a token) before
// anything starts, so a refused setting exits 2 without having opened a port.

import { checkHttpExposure, HTTP_TOKEN_ENV, resolveToken } from '../http/index.js';
import { parseDurationMs, parseSizeBytes } from '../config/units.js';
import { GmsupError } from '../shared/errors.js';
import { parseHostPort } from '../shared/host-port.js';

export const HTTP_FLAGS = {
  http: { type: 'string' },
  'http-token': { type: 'string' },
  'http-timeout': { type: 'string' },
  'http-max-body': { type: 'string' },
} as const;

export const HTTP_FLAGS_HELP = [
  '  --http HOST:PORT         also serve HTTP (off by default; docs/http.md): gearmand-compatible',
  '                           job submission, /v1/jobs, /metrics, /status, /healthz',
  `  --http-token TOKEN       bearer token every HTTP request must carry (or ${HTTP_TOKEN_ENV});`,
  '                           required when HOST is not a loopback address',
  '  --http-timeout DURATION  how long a foreground HTTP request waits for its job (default 60s)',
  '  --http-max-body SIZE     largest request body (default 16MiB)',
].join('\n');

export interface HttpFlags {
  host: string;
  port: number;
  token: string | null;
  jobTimeoutMs?: number;
  maxBodyBytes?: number;
}

export function parseHttpFlags(values: {
  http?: string;
  'http-token'?: string;
  'http-timeout'?: string;
  'http-max-body'?: string;
}): HttpFlags | null {
  if (values.http === undefined) {
    const stray = (['http-token', 'http-timeout', 'http-max-body'] as const).find((k) => values[k] !== undefined);
    if (stray !== undefined) throw new GmsupError('USAGE', `--${stray} needs --http HOST:PORT`);
    return null;
  }
  const hp = parseHostPort(values.http, 8080);
  const token = resolveToken(values['http-token']);
  checkHttpExposure(hp.host, token, `--http ${values.http}`);
  const out: HttpFlags = { host: hp.host, port: hp.port, token };
  if (values['http-timeout'] !== undefined) {
    const d = parseDurationMs(values['http-timeout']);
    if (!d.ok || d.value <= 0) throw new GmsupError('USAGE', `--http-timeout: ${d.ok ? 'must be above 0' : d.message}`);
    out.jobTimeoutMs = d.value;
  }
  if (values['http-max-body'] !== undefined) {
    const s = parseSizeBytes(values['http-max-body']);
    if (!s.ok || s.value <= 0)
      throw new GmsupError('USAGE', `--http-max-body: ${s.ok ? 'must be above 0' : s.message}`);
    out.maxBodyBytes = s.value;
  }
  return out;
}
