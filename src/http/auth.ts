// Who may use the HTTP listener: the bearer token check (constant time), and the start-time rule that a
// listener reachable from other machines needs a token. Pure apart from reading the environment variable.

import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { GmsupError } from '../shared/errors.js';

/** Where the token comes from when neither the config nor --http-token gives one. */
export const HTTP_TOKEN_ENV = 'GMSUP_HTTP_TOKEN';
/** Shorter tokens are refused: they can be guessed. */
export const MIN_TOKEN_CHARS = 16;

/** True for 127.0.0.0/8, ::1, IPv4-mapped loopback and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The token in force: the given one, else the environment variable's, else none. */
export function resolveToken(given: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (given !== undefined && given !== null && given !== '') return given;
  const fromEnv = env[HTTP_TOKEN_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : null;
}

/** Throws CONFIG_INVALID (exit 2) for a listen that would expose job submission without a token. */
export function checkHttpExposure(host: string, token: string | null, where: string): void {
  if (token !== null && token.length < MIN_TOKEN_CHARS) {
    throw new GmsupError(
      'CONFIG_INVALID',
      `${where}: the HTTP token is ${token.length} characters; use at least ${MIN_TOKEN_CHARS} ` +
        '(e.g. `openssl rand -hex 32`)',
    );
  }
  if (token === null && !isLoopbackHost(host)) {
    throw new GmsupError(
      'CONFIG_INVALID',
      `${where}: refusing to listen for HTTP on ${host} without a token: anyone who reaches it could submit jobs. ` +
        `Set http_token (or --http-token, or the ${HTTP_TOKEN_ENV} environment variable), or listen on 127.0.0.1`,
    );
  }
}

/** A comparison whose time does not depend on where the strings differ (digests first: equal lengths). */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  if (authorization === undefined) return false;
  const m = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!m) return false;
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
