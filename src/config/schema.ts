// The JSON Schema of the workers file, generated from key-rules.ts (the rules the validators read their
// ranges from) and the cross-key rules there: `npm run docs` writes schema/workers.schema.json and a
// test checks that the committed file is what this generates. Pure.

import {
  EXCLUSIVE_WORKER_KEYS,
  NOT_FOR_MODULE,
  NOT_FOR_PROCESS,
  TOP_LEVEL_RULES,
  WORKER_KINDS,
  type KeyRule,
} from './key-rules.js';

type Schema = Record<string, unknown>;

export const SCHEMA_ID = 'https://raw.githubusercontent.com/gmsup/gmsup/main/schema/workers.schema.json';

// Durations: `250`, `500ms`, `1.5s`, `1h30m` (units largest first; the validator also checks the order).
const NUM = '\\d+(\\.\\d+)?';
const DURATION_PATTERN = `^\\s*(${NUM}|(${NUM}\\s*([mM][sS]|[sSmMhHdD])\\s*)+)$`;
const SIZE_PATTERN = `^\\s*${NUM}\\s*([bB]|[kKmMgGtT][bB]|[kKmMgGtT][iI][bB])?\\s*$`;
/** Keys the validator skips in every map: `x-` (anchors for reuse). */
const IGNORED = { '^x-': {} };

function map(keys: Readonly<Record<string, KeyRule>>, description: string): Schema {
  return {
    type: 'object',
    description,
    properties: Object.fromEntries(Object.entries(keys).map(([k, r]) => [k, ruleSchema(r)])),
    patternProperties: IGNORED,
    additionalProperties: false,
  };
}

function workerSchema(keys: Readonly<Record<string, KeyRule>>, description: string): Schema {
  const required = (k: string) => ({ required: [k] });
  return {
    ...map(keys, description),
    // Exactly one kind; the keys that do not apply to a kind are refused rather than ignored.
    oneOf: WORKER_KINDS.map(required),
    allOf: [
      ...EXCLUSIVE_WORKER_KEYS.map((pair) => ({ not: { required: [...pair] } })),
      // "not this kind, or none of its refused keys" (an if/then without a `then` key in our code).
      { anyOf: [{ not: required('process') }, { not: { anyOf: NOT_FOR_PROCESS.map(required) } }] },
      { anyOf: [{ not: required('module') }, { not: { anyOf: NOT_FOR_MODULE.map(required) } }] },
    ],
  };
}

export function ruleSchema(rule: KeyRule): Schema {
  const d = { description: rule.description };
  switch (rule.type) {
    case 'string':
      return { ...d, type: 'string', minLength: 1, ...(rule.pattern ? { pattern: rule.pattern } : {}) };
    case 'boolean':
      return { ...d, type: 'boolean' };
    case 'integer':
      return { ...d, type: 'integer', minimum: rule.min, maximum: rule.max };
    case 'positive-number': {
      const n = { type: 'number', exclusiveMinimum: 0, maximum: rule.max };
      return rule.orFalse ? { ...d, anyOf: [n, { const: false }] } : { ...d, ...n };
    }
    case 'duration':
      return {
        ...d,
        anyOf: [
          { type: 'number', ...(rule.allowZero ? { minimum: 0 } : { exclusiveMinimum: 0 }) },
          { type: 'string', pattern: DURATION_PATTERN },
        ],
      };
    case 'seconds-or-duration':
      return {
        ...d,
        anyOf: [
          { type: 'number', minimum: 0 },
          { type: 'string', pattern: DURATION_PATTERN },
        ],
      };
    case 'size':
      return {
        ...d,
        anyOf: [
          { type: 'number', exclusiveMinimum: 0 },
          { type: 'string', pattern: SIZE_PATTERN },
        ],
      };
    case 'string-or-list':
      return {
        ...d,
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: ['string', 'number'] } },
        ],
      };
    case 'command':
      return {
        ...d,
        anyOf: [
          { type: 'string', pattern: '\\S' },
          { type: 'array', minItems: 1, items: { type: ['string', 'number'] } },
        ],
      };
    case 'enum':
      return { ...d, enum: [...rule.values] };
    case 'env':
      return {
        ...d,
        type: 'object',
        propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        additionalProperties: { type: ['string', 'number', 'boolean'] },
      };
    case 'map':
      return { ...map(rule.keys, rule.description), ...(rule.required ? { required: [...rule.required] } : {}) };
    case 'keepalive':
      return {
        ...d,
        anyOf: [
          { type: ['boolean', 'null'] },
          { enum: ['off', 'false', 'no', 'none'] },
          map(rule.keys, rule.description),
        ],
      };
    case 'server':
      return { ...d, anyOf: [{ type: ['boolean', 'null'] }, map(rule.keys, rule.description)] };
    case 'workers':
      return {
        ...d,
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            propertyNames: { pattern: rule.namePattern },
            additionalProperties: workerSchema(rule.keys, 'One worker: exactly one of module, command or process.'),
          },
        ],
      };
  }
}

export function workersFileSchema(version: string): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: `gmsup workers file (gmsup ${version})`,
    description: 'Which job servers to use, whether to run the embedded one, and which workers to run.',
    ...map(TOP_LEVEL_RULES, 'A gmsup workers file (docs/config.md).'),
    required: ['workers'],
  };
}
