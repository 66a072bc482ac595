// The `keepalive:` setting as people write it: in YAML a map `{ idle: 10s, interval: 2s, count: 3,
// user_timeout: 16s }` or `false`/`off`; on the command line `idle=10s,interval=2s,count=3` or `off`.

import { GmsupError } from '../shared/errors.js';
import {
  keepaliveProblem,
  resolveKeepalive,
  type KeepaliveSettings,
  type KeepaliveOption,
} from '../shared/tcp-keepalive.js';
import { describe, parseDurationMs } from './units.js';
import type { Field, Reader } from './yaml-fields.js';

export const KEEPALIVE_KEYS = ['idle', 'interval', 'count', 'user_timeout'] as const;
type Key = (typeof KEEPALIVE_KEYS)[number];

const OFF_WORDS = new Set(['off', 'false', 'no', 'none']);

/** Reads one key's text/number into the option object; returns an error message or null. */
function put(option: Partial<KeepaliveSettings>, key: Key, value: unknown): string | null {
  if (key === 'count') {
    const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) return `count: expected a whole number, got ${describe(value)}`;
    option.count = n;
    return null;
  }
  const parsed = parseDurationMs(value);
  if (!parsed.ok) return `${key}: ${parsed.message}`;
  if (key === 'idle') option.idleMs = parsed.value;
  else if (key === 'interval') option.intervalMs = parsed.value;
  else option.userTimeoutMs = parsed.value;
  return null;
}

/** Resolved settings (defaults filled in), or the first problem. */
function finish(option: KeepaliveOption): KeepaliveSettings | null | string {
  const settings = resolveKeepalive(option);
  return settings === null ? null : (keepaliveProblem(settings) ?? settings);
}

/** `--keepalive off` or `--keepalive idle=10s,interval=2s,count=3[,user_timeout=16s]` (any subset). */
export function parseKeepaliveText(text: string, flag = '--keepalive'): KeepaliveSettings | null {
  const trimmed = text.trim();
  if (OFF_WORDS.has(trimmed.toLowerCase())) return null;
  const option: Partial<KeepaliveSettings> = {};
  for (const part of trimmed.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim().replace('-', '_') as Key;
    if (eq < 0 || !KEEPALIVE_KEYS.includes(key))
      throw new GmsupError(
        'USAGE',
        `${flag}: expected off or ${KEEPALIVE_KEYS.map((k) => `${k}=...`).join(',')}, got ${JSON.stringify(part)}`,
      );
    const problem = put(option, key, part.slice(eq + 1).trim());
    if (problem) throw new GmsupError('USAGE', `${flag} ${problem}`);
  }
  const result = finish(option);
  if (typeof result === 'string') throw new GmsupError('USAGE', `${flag}: ${result}`);
  return result;
}

/**
 * `keepalive:` of a worker or of `server:`. undefined when absent or invalid (the issue is recorded);
 * null for off; else the resolved settings.
 */
export function readKeepalive(reader: Reader, f: Field | undefined): KeepaliveSettings | null | undefined {
  if (!f) return undefined;
  if (f.value === true || f.value === null) return resolveKeepalive(undefined); // `keepalive:` alone: defaults
  if (f.value === false || (typeof f.value === 'string' && OFF_WORDS.has(f.value.toLowerCase()))) return null;
  const fields = reader.fields(f.node, f.path, KEEPALIVE_KEYS, f.keyNode, 'a map of idle, interval, count (or false)');
  if (!fields) return undefined;
  const option: Partial<KeepaliveSettings> = {};
  let ok = true;
  for (const [key, field] of fields) {
    const problem = put(option, key as Key, field.value);
    if (problem) {
      reader.issues.at(field.node ?? field.keyNode, field.path, problem.slice(problem.indexOf(':') + 2));
      ok = false;
    }
  }
  if (!ok) return undefined;
  const result = finish(option);
  if (typeof result === 'string') {
    // Blame the key the problem names when it is written here (else the map: a default was the cause).
    const named = fields.get(result.split(' ')[0]!);
    if (named) reader.issues.at(named.node ?? named.keyNode, named.path, result);
    else reader.issues.at(f.node ?? f.keyNode, f.path, result);
    return undefined;
  }
  return result;
}
