// The HTTP listener keys of the `server:` block (http, http_token, http_timeout, http_max_body): read
// and checked like every other key. Whether a token is needed is decided at start, where the
// GMSUP_HTTP_TOKEN environment variable is known.

import { parseHostPort } from '../shared/host-port.js';
import type { HttpListenConfig } from './types.js';
import type { Field, Reader } from './yaml-fields.js';

/** Port of `http: HOST` without one. */
export const DEFAULT_HTTP_PORT = 8080;
/** Tokens shorter than this are refused (the listener refuses them too). */
const MIN_TOKEN_CHARS = 16;

export function readHttpSettings(reader: Reader, fields: Map<string, Field> | null): HttpListenConfig | undefined {
  const f = fields?.get('http');
  const rest = (['http_token', 'http_timeout', 'http_max_body'] as const).map((k) => fields?.get(k));
  if (!f || f.value === null || f.value === false) {
    for (const r of rest) {
      if (r) reader.issues.at(r.node ?? r.keyNode, r.path, 'needs `http: HOST:PORT` in the same block');
    }
    return undefined;
  }
  const text = reader.string(f);
  if (text === undefined) return undefined;
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseHostPort(text, DEFAULT_HTTP_PORT));
  } catch (err) {
    reader.issues.at(f.node ?? f.keyNode, f.path, (err as Error).message);
    return undefined;
  }
  const [tokenField, timeoutField, bodyField] = rest;
  const token = reader.string(tokenField) ?? null;
  if (token !== null && token.length < MIN_TOKEN_CHARS) {
    reader.issues.at(
      tokenField!.node ?? tokenField!.keyNode,
      tokenField!.path,
      `is ${token.length} characters; use at least ${MIN_TOKEN_CHARS} (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  return {
    host,
    port,
    token,
    timeoutMs: reader.durationMs(timeoutField, { allowZero: false }) ?? null,
    maxBodyBytes: reader.sizeBytes(bodyField) ?? null,
  };
}
