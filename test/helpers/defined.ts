// Existence checks for tests under noUncheckedIndexedAccess: a missing element fails the test with a
// message naming it, instead of a TypeError on undefined (or a `!` that hides the question).
import assert from 'node:assert/strict';

/** `value` after asserting that it is there (not undefined or null); `what` names it in the failure. */
export function defined<T>(value: T | undefined | null, what: string): T {
  assert.ok(value !== undefined && value !== null, `expected ${what}, got ${value}`);
  return value;
}

/** `list[index]` after asserting that the list is long enough. */
export function itemAt<T>(list: readonly T[], index: number, what = 'list'): T {
  assert.ok(index >= 0 && index < list.length, `${what} has no element ${index} (length ${list.length})`);
  return list[index] as T;
}
