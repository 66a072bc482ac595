// The fleet's deterministic address scheme and response bodies, shared by the fleet, the client, the
// baselines and the tests so they agree without talking: endpoint i is 127.0.x.y:basePort+i.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Usable host octets per 127.0.x.0/24 (1..250; .0, .255 and 251-254 are left alone). */
export const HOSTS_PER_SUBNET = 250;
/** Below Linux's ephemeral range (32768+), so port-0 listeners and outgoing sockets never collide. */
export const DEFAULT_BASE_PORT = 21000;
export const MAX_ENDPOINTS = HOSTS_PER_SUBNET * 254;

export interface Endpoint {
  index: number;
  host: string;
  port: number;
}

export function endpointAt(index: number, basePort = DEFAULT_BASE_PORT): Endpoint {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_ENDPOINTS)
    throw new RangeError(`endpoint index ${index} out of range`);
  const x = 1 + Math.floor(index / HOSTS_PER_SUBNET);
  const y = 1 + (index % HOSTS_PER_SUBNET);
  const port = basePort + index;
  if (port > 65535) throw new RangeError(`port ${port} out of range (base ${basePort}, index ${index})`);
  return { index, host: `127.0.${x}.${y}`, port };
}

export function endpointUrl(e: Endpoint, path = '/'): string {
  return `http://${e.host}:${e.port}${path}`;
}

/** URLs of the first `count` fleet endpoints. */
export function fleetUrls(count: number, basePort = DEFAULT_BASE_PORT): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(endpointUrl(endpointAt(i, basePort), `/e/${i}`));
  return out;
}

/** A target list file: one URL a line; blank lines and `#` comments ignored. */
export function readTargetFile(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * The body endpoint i returns for GET: `sizeBytes` bytes, distinct per endpoint, so a pull's combined
 * hash proves every body arrived intact and from the right endpoint.
 */
export function fleetBody(index: number, sizeBytes: number): Buffer {
  const body = Buffer.alloc(sizeBytes, 'abcdefghijklmnopqrstuvwxyz0123456789\n');
  body.write(`endpoint ${index}\n`.slice(0, sizeBytes), 0, 'latin1');
  return body;
}

export function sha1Hex(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

/** Order-independent summary of many bodies: sha1 over the per-target sha1s in target order. */
export function combinedHash(sha1sInTargetOrder: string[]): string {
  const h = createHash('sha1');
  for (const s of sha1sInTargetOrder) h.update(s).update('\n');
  return h.digest('hex');
}

/** What a pull of endpoints 0..count-1 should combine to. */
export function expectedPullHash(count: number, sizeBytes: number): string {
  const sums: string[] = [];
  for (let i = 0; i < count; i++) sums.push(sha1Hex(fleetBody(i, sizeBytes)));
  return combinedHash(sums);
}
