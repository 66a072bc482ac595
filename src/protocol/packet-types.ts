// The Gearman binary packet types of gearmand 1.1.20: number, name, argument count and who may send it.
// Pure data; the codec and the server read their framing rules from this one table.

export const PacketType = {
  CAN_DO: 1,
  CANT_DO: 2,
  RESET_ABILITIES: 3,
  PRE_SLEEP: 4,
  UNUSED_5: 5,
  NOOP: 6,
  SUBMIT_JOB: 7,
  JOB_CREATED: 8,
  GRAB_JOB: 9,
  NO_JOB: 10,
  JOB_ASSIGN: 11,
  WORK_STATUS: 12,
  WORK_COMPLETE: 13,
  WORK_FAIL: 14,
  GET_STATUS: 15,
  ECHO_REQ: 16,
  ECHO_RES: 17,
  SUBMIT_JOB_BG: 18,
  ERROR: 19,
  STATUS_RES: 20,
  SUBMIT_JOB_HIGH: 21,
  SET_CLIENT_ID: 22,
  CAN_DO_TIMEOUT: 23,
  ALL_YOURS: 24,
  WORK_EXCEPTION: 25,
  OPTION_REQ: 26,
  OPTION_RES: 27,
  WORK_DATA: 28,
  WORK_WARNING: 29,
  GRAB_JOB_UNIQ: 30,
  JOB_ASSIGN_UNIQ: 31,
  SUBMIT_JOB_HIGH_BG: 32,
  SUBMIT_JOB_LOW: 33,
  SUBMIT_JOB_LOW_BG: 34,
  SUBMIT_JOB_SCHED: 35,
  SUBMIT_JOB_EPOCH: 36,
  SUBMIT_REDUCE_JOB: 37,
  SUBMIT_REDUCE_JOB_BACKGROUND: 38,
  GRAB_JOB_ALL: 39,
  JOB_ASSIGN_ALL: 40,
  GET_STATUS_UNIQUE: 41,
  STATUS_RES_UNIQUE: 42,
} as const;

export type PacketTypeName = keyof typeof PacketType;
export type PacketTypeNumber = (typeof PacketType)[PacketTypeName];

export const MIN_PACKET_TYPE = 1;
export const MAX_PACKET_TYPE = 42;

/**
 * Number of NUL-separated arguments each type carries. The last argument runs to the end of the
 * payload and may itself contain NULs; all others are NUL-terminated.
 */
const ARG_COUNTS: Record<number, number> = {
  1: 1,
  2: 1,
  3: 0,
  4: 0,
  5: 0,
  6: 0,
  7: 3,
  8: 1,
  9: 0,
  10: 0,
  11: 3,
  12: 3,
  13: 2,
  14: 1,
  15: 1,
  16: 1,
  17: 1,
  18: 3,
  19: 2,
  20: 5,
  21: 3,
  22: 1,
  23: 2,
  24: 0,
  25: 2,
  26: 1,
  27: 1,
  28: 2,
  29: 2,
  30: 0,
  31: 4,
  32: 3,
  33: 3,
  34: 3,
  35: 8,
  36: 4,
  37: 5,
  38: 5,
  39: 0,
  40: 5,
  41: 1,
  42: 6,
};

const NAMES: Record<number, PacketTypeName> = Object.fromEntries(
  Object.entries(PacketType).map(([name, num]) => [num, name as PacketTypeName]),
);

export function argCount(type: number): number {
  const n = ARG_COUNTS[type];
  if (n === undefined) throw new RangeError(`unknown packet type ${type}`);
  return n;
}

export function isKnownType(type: number): boolean {
  return type >= MIN_PACKET_TYPE && type <= MAX_PACKET_TYPE;
}

export function typeName(type: number): string {
  return NAMES[type] ?? `TYPE_${type}`;
}

/** Types only the server may send: a client sending one gets ERROR INVALID_COMMAND from gearmand. */
export const SERVER_ONLY_TYPES: ReadonlySet<number> = new Set([
  PacketType.UNUSED_5,
  PacketType.NOOP,
  PacketType.JOB_CREATED,
  PacketType.NO_JOB,
  PacketType.JOB_ASSIGN,
  PacketType.ERROR,
  PacketType.STATUS_RES,
  PacketType.ECHO_RES,
  PacketType.ALL_YOURS,
  PacketType.OPTION_RES,
  PacketType.JOB_ASSIGN_UNIQ,
  PacketType.JOB_ASSIGN_ALL,
  PacketType.STATUS_RES_UNIQUE,
]);
