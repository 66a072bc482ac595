// Checks the params of each control request before the handler sees them: one small reader per
// method, so a malformed request gets a USAGE error naming the bad field instead of a blind cast.

import { GmsupError } from '../shared/errors.js';
import {
  isRecord,
  optionalBooleanField,
  optionalIntegerField,
  optionalStringField,
  stringField,
  integerField,
  type Fields,
} from '../shared/fields.js';
import type { ControlMethod, ControlMethods } from './protocol.js';

type ParamReaders = { [M in ControlMethod]: (p: Fields, where: string) => ControlMethods[M]['params'] };

const none = (): Record<string, never> => ({});

const READERS: ParamReaders = {
  status: none,
  stop: none,
  reload: none,
  plan: (p, where) => {
    const file = optionalStringField(p, 'file', where);
    return file === undefined ? {} : { file };
  },
  restart: (p, where) => {
    const index = optionalIntegerField(p, 'index', where, 0);
    return { name: stringField(p, 'name', where), ...(index === undefined ? {} : { index }) };
  },
  // The range of `instances` is the supervisor's to check (it names its limit).
  scale: (p, where) => ({
    name: stringField(p, 'name', where),
    instances: p.instances === 'auto' ? 'auto' : integerField(p, 'instances', where),
  }),
  'stop-worker': (p, where) => ({ name: stringField(p, 'name', where) }),
  'start-worker': (p, where) => ({ name: stringField(p, 'name', where) }),
  logs: (p, where) => {
    const name = optionalStringField(p, 'name', where);
    const lines = optionalIntegerField(p, 'lines', where, 1);
    const follow = optionalBooleanField(p, 'follow', where);
    return {
      ...(name === undefined ? {} : { name }),
      ...(lines === undefined ? {} : { lines }),
      ...(follow === undefined ? {} : { follow }),
    };
  },
};

export function isControlMethod(value: unknown): value is ControlMethod {
  return typeof value === 'string' && Object.hasOwn(READERS, value);
}

/** The typed params of a request, or a USAGE GmsupError naming the field that is wrong. */
export function readParams<M extends ControlMethod>(method: M, params: unknown): ControlMethods[M]['params'] {
  const where = `${method} request`;
  if (params === undefined || params === null) return READERS[method]({}, where);
  if (!isRecord(params)) throw new GmsupError('USAGE', `${where}: params must be an object`);
  return READERS[method](params, where);
}
