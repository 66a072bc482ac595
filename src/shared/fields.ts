// Reading untrusted JSON (IPC messages, control requests) field by field: each reader returns the typed
// value or throws a USAGE GmsupError naming where, the field and what was wrong, so a malformed message
// is refused precisely instead of cast and failing somewhere later. Plain functions: no allocation
// unless something is wrong (they run for every IPC message).

import { GmsupError } from './errors.js';

export type Fields = Record<string, unknown>;

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value for error messages ("the string \"x\"", "null", "an array"). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

export function fieldError(where: string, key: string, expected: string, value: unknown): GmsupError {
  return new GmsupError('USAGE', `${where}: field "${key}" must be ${expected}, got ${describeValue(value)}`);
}

export function requireRecord(value: unknown, where: string): Fields {
  if (!isRecord(value)) throw new GmsupError('USAGE', `${where}: must be an object, got ${describeValue(value)}`);
  return value;
}

export function stringField(o: Fields, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw fieldError(where, key, 'a string', v);
  return v;
}

export function optionalStringField(o: Fields, key: string, where: string): string | undefined {
  return o[key] === undefined ? undefined : stringField(o, key, where);
}

export function booleanField(o: Fields, key: string, where: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw fieldError(where, key, 'true or false', v);
  return v;
}

export function optionalBooleanField(o: Fields, key: string, where: string): boolean | undefined {
  return o[key] === undefined ? undefined : booleanField(o, key, where);
}

/** A finite number at least `min` (durations, sizes). */
export function numberField(o: Fields, key: string, where: string, min = -Infinity): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw fieldError(where, key, min === -Infinity ? 'a finite number' : `a number >= ${min}`, v);
  return v;
}

export function integerField(
  o: Fields,
  key: string,
  where: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range =
      min === Number.MIN_SAFE_INTEGER ? '' : max === Number.MAX_SAFE_INTEGER ? ` >= ${min}` : ` ${min}..${max}`;
    throw fieldError(where, key, `an integer${range}`, v);
  }
  return v;
}

export function optionalIntegerField(
  o: Fields,
  key: string,
  where: string,
  min?: number,
  max?: number,
): number | undefined {
  return o[key] === undefined ? undefined : integerField(o, key, where, min, max);
}

/** An integer, or null for "none" (limits such as max_jobs). */
export function nullableIntegerField(o: Fields, key: string, where: string, min?: number): number | null {
  return o[key] === null ? null : integerField(o, key, where, min);
}

export function enumField<T extends string>(o: Fields, key: string, where: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    throw fieldError(where, key, `one of ${values.join(', ')}`, v);
  return v as T;
}

export function arrayField(o: Fields, key: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw fieldError(where, key, 'an array', v);
  return v;
}

export function stringArrayField(o: Fields, key: string, where: string): string[] {
  const v = arrayField(o, key, where);
  if (!v.every((x) => typeof x === 'string')) throw fieldError(where, key, 'an array of strings', v);
  return v as string[];
}

export function stringRecordField(o: Fields, key: string, where: string): Record<string, string> {
  const v = o[key];
  if (!isRecord(v) || !Object.values(v).every((x) => typeof x === 'string'))
    throw fieldError(where, key, 'an object of strings', v);
  return v as Record<string, string>;
}

export function recordField(o: Fields, key: string, where: string): Fields {
  const v = o[key];
  if (!isRecord(v)) throw fieldError(where, key, 'an object', v);
  return v;
}
