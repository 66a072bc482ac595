// Messages between the daemon and a worker process over the Node IPC channel, named by direction.
// Discriminated unions: both sides switch on `type` and the compiler checks every case. Each side checks
// what it receives with parseChildMessage / parseParentMessage before use (a malformed one is dropped).

import type { WorkerKind, WorkerSpec } from './spec.js';
import type { KeepaliveOption } from '../shared/tcp-keepalive.js';
import { GmsupError, isErrorCode, type SerializedError } from '../shared/errors.js';
import {
  arrayField,
  booleanField,
  enumField,
  type Fields,
  integerField,
  nullableIntegerField,
  numberField,
  optionalBooleanField,
  optionalIntegerField,
  optionalStringField,
  recordField,
  requireRecord,
  stringArrayField,
  stringField,
  stringRecordField,
} from '../shared/fields.js';

/** Daemon -> worker. */
export type ParentMessage =
  /**
   * `ipcBatchMs` (optional, opt-in): report job ends at most this often, several at once as `job:ends`.
   * Without it every job sends its own `job:end` (at thousands of jobs/s that costs more than the jobs).
   * `index`: the instance number, set as GMSUP_INDEX (a warm spare was spawned before it had one).
   */
  | { type: 'worker:init'; spec: WorkerSpec; clientId: string; index?: number; ipcBatchMs?: number }
  /** Stop grabbing, finish in-flight jobs within spec.stopTimeoutMs, exit 0. */
  | { type: 'worker:stop'; reason: string }
  /** Re-send CAN_DO on every connection (the daemon saw a registration vanish). */
  | { type: 'worker:reregister' };

export interface CurrentJob {
  handle: string;
  function: string;
  startedAtMs: number;
}

export interface JobEnd {
  handle: string;
  function: string;
  durationMs: number;
  ok: boolean;
}

/** Worker -> daemon. */
export type ChildMessage =
  | { type: 'worker:ready'; functions: string[] }
  | { type: 'worker:init-failed'; error: SerializedError }
  | { type: 'server:state'; server: string; connected: boolean; registered: boolean; error?: string }
  | { type: 'job:start'; job: CurrentJob }
  | { type: 'job:end'; handle: string; function: string; durationMs: number; ok: boolean }
  /** Only when init set `ipcBatchMs`: several job:start at once, same meaning as one job:start each. */
  | { type: 'job:starts'; jobs: CurrentJob[] }
  /** Only when init set `ipcBatchMs`: several job:end at once, same meaning as one job:end each. */
  | { type: 'job:ends'; ends: JobEnd[] }
  | { type: 'worker:draining'; reason: string }
  | { type: 'worker:exiting'; reason: 'max-jobs' | 'stopped' | 'parent-gone' | 'error' };

const EXIT_REASONS = ['max-jobs', 'stopped', 'parent-gone', 'error'] as const;
const WORKER_KINDS: readonly WorkerKind[] = ['module', 'command', 'process'];

function currentJob(value: unknown, where: string): CurrentJob {
  const o = requireRecord(value, where);
  return {
    handle: stringField(o, 'handle', where),
    function: stringField(o, 'function', where),
    startedAtMs: numberField(o, 'startedAtMs', where),
  };
}

function jobEnd(o: Fields, where: string): JobEnd {
  return {
    handle: stringField(o, 'handle', where),
    function: stringField(o, 'function', where),
    durationMs: numberField(o, 'durationMs', where),
    ok: booleanField(o, 'ok', where),
  };
}

/** Checks a worker -> daemon message; throws a GmsupError naming the bad field. */
export function parseChildMessage(value: unknown): ChildMessage {
  const o = requireRecord(value, 'worker message');
  const type = stringField(o, 'type', 'worker message');
  const where = `worker message ${type}`;
  switch (type) {
    case 'worker:ready':
      return { type, functions: stringArrayField(o, 'functions', where) };
    case 'worker:init-failed': {
      const e = recordField(o, 'error', where);
      const code = stringField(e, 'code', `${where} error`);
      return {
        type,
        error: { code: isErrorCode(code) ? code : 'INTERNAL', message: stringField(e, 'message', `${where} error`) },
      };
    }
    case 'server:state': {
      const error = optionalStringField(o, 'error', where);
      return {
        type,
        server: stringField(o, 'server', where),
        connected: booleanField(o, 'connected', where),
        registered: booleanField(o, 'registered', where),
        ...(error === undefined ? {} : { error }),
      };
    }
    case 'job:start':
      return { type, job: currentJob(o.job, `${where} job`) };
    case 'job:end':
      return { type, ...jobEnd(o, where) };
    case 'job:starts':
      return { type, jobs: arrayField(o, 'jobs', where).map((j) => currentJob(j, `${where} jobs[]`)) };
    case 'job:ends':
      return {
        type,
        ends: arrayField(o, 'ends', where).map((e) => jobEnd(requireRecord(e, `${where} ends[]`), `${where} ends[]`)),
      };
    case 'worker:draining':
      return { type, reason: stringField(o, 'reason', where) };
    case 'worker:exiting':
      return { type, reason: enumField(o, 'reason', where, EXIT_REASONS) };
    default:
      throw new GmsupError('USAGE', `worker message: unknown type ${JSON.stringify(type)}`);
  }
}

/** `keepalive`: absent (the defaults), false (off), or settings whose fields are each optional numbers. */
function keepaliveField(o: Fields, where: string): KeepaliveOption | undefined {
  if (o.keepalive === undefined) return undefined;
  if (o.keepalive === false) return false;
  const k = recordField(o, 'keepalive', where);
  const at = `${where} keepalive`;
  const num = (key: string) => (k[key] === undefined ? {} : { [key]: numberField(k, key, at, 0) });
  return { ...num('idleMs'), ...num('intervalMs'), ...num('count'), ...num('userTimeoutMs') };
}

/** Checks the WorkerSpec of an init message field by field (the daemon's config is trusted, the channel not). */
export function parseWorkerSpec(value: unknown, where: string): WorkerSpec {
  const o = requireRecord(value, where);
  const modulePath = optionalStringField(o, 'modulePath', where);
  const command = o.command === undefined ? undefined : stringArrayField(o, 'command', where);
  const shell = optionalBooleanField(o, 'shell', where);
  const exceptions = optionalBooleanField(o, 'exceptions', where);
  const keepalive = keepaliveField(o, where);
  return {
    name: stringField(o, 'name', where),
    function: stringField(o, 'function', where),
    kind: enumField(o, 'kind', where, WORKER_KINDS),
    ...(modulePath === undefined ? {} : { modulePath }),
    ...(command === undefined ? {} : { command }),
    ...(shell === undefined ? {} : { shell }),
    servers: stringArrayField(o, 'servers', where),
    concurrency: integerField(o, 'concurrency', where, 1),
    timeoutMs: o.timeoutMs === null ? null : numberField(o, 'timeoutMs', where, 0),
    env: stringRecordField(o, 'env', where),
    cwd: stringField(o, 'cwd', where),
    maxJobs: nullableIntegerField(o, 'maxJobs', where, 1),
    stopTimeoutMs: numberField(o, 'stopTimeoutMs', where, 0),
    ...(exceptions === undefined ? {} : { exceptions }),
    ...(keepalive === undefined ? {} : { keepalive }),
  };
}

/** Checks a daemon -> worker message; throws a GmsupError naming the bad field. */
export function parseParentMessage(value: unknown): ParentMessage {
  const o = requireRecord(value, 'daemon message');
  const type = stringField(o, 'type', 'daemon message');
  const where = `daemon message ${type}`;
  switch (type) {
    case 'worker:init': {
      const index = optionalIntegerField(o, 'index', where, 0);
      const ipcBatchMs = o.ipcBatchMs === undefined ? undefined : numberField(o, 'ipcBatchMs', where, 0);
      return {
        type,
        spec: parseWorkerSpec(o.spec, `${where} spec`),
        clientId: stringField(o, 'clientId', where),
        ...(index === undefined ? {} : { index }),
        ...(ipcBatchMs === undefined ? {} : { ipcBatchMs }),
      };
    }
    case 'worker:stop':
      return { type, reason: stringField(o, 'reason', where) };
    case 'worker:reregister':
      return { type };
    default:
      throw new GmsupError('USAGE', `daemon message: unknown type ${JSON.stringify(type)}`);
  }
}
