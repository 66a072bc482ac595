// The JSON Schema of the workers file (schema/workers.schema.json) against the validator: the committed
// file is what the key rules generate; every fixture the validator accepts, the schema accepts; every
// fixture it refuses, the schema refuses, except the problems a schema cannot see (listed with why); an
// unknown key in any map is refused by both.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { validateConfigText } from '../../../src/config/load.js';
import { workersFileSchema } from '../../../src/config/schema.js';
import { VERSION } from '../../../src/shared/version.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/configs');
const committed = JSON.parse(readFileSync(join(ROOT, 'schema/workers.schema.json'), 'utf8'));
const schemaValid = new Ajv({ allErrors: true, strict: false }).compile(committed);

/** Refused by the validator for reasons outside a schema's reach: YAML itself, the file system, other keys. */
const NOT_SCHEMA_VISIBLE: Record<string, string> = {
  'yaml-syntax.yaml': 'not YAML',
  'duplicate-key.yaml': 'a YAML error (duplicate map key)',
  'duplicate-function.yaml': 'a value repeated across workers',
  'missing-cwd.yaml': 'a directory that does not exist',
  'bad-servers.yaml': 'host:port syntax (ports, IPv6 brackets) is checked by the validator only',
};

test('the committed schema is the generated one (npm run docs regenerates it)', () => {
  assert.deepEqual(committed, JSON.parse(JSON.stringify(workersFileSchema(VERSION))));
});

test('every fixture: the schema agrees with the validator', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 20);
  for (const f of files) {
    const text = readFileSync(join(FIXTURES, f), 'utf8');
    const byValidator = validateConfigText(text, join(FIXTURES, f)).ok;
    if (NOT_SCHEMA_VISIBLE[f]) {
      assert.equal(byValidator, false, `${f} is refused by the validator`);
      continue;
    }
    const data = parse(text, { merge: true, uniqueKeys: true });
    assert.equal(schemaValid(data), byValidator, `${f}: schema ${JSON.stringify(schemaValid.errors?.[0])}`);
  }
});

test('an unknown key in any map is refused by both', (t) => {
  const base = {
    server: { listen: '127.0.0.1:4730' },
    logs: { keep: 2 },
    workers: { w: { command: ['wc'], restart: { retries: 1 } } },
  };
  assert.equal(schemaValid(base), true);
  const places: Array<[string, (o: typeof base & Record<string, unknown>) => Record<string, unknown>]> = [
    ['top level', (o) => o],
    ['server', (o) => o.server],
    ['logs', (o) => o.logs],
    ['a worker', (o) => o.workers.w],
    ['restart', (o) => o.workers.w.restart],
  ];
  for (const [where, pick] of places) {
    const o = structuredClone(base) as typeof base & Record<string, unknown>;
    pick(o).bogus_key = 1;
    assert.equal(schemaValid(o), false, `schema: ${where}`);
    const r = validateConfigText(JSON.stringify(o), '/tmp/w.yaml', {
      fs: { isFile: () => true, isDir: () => true, onPath: () => true },
    });
    assert.ok(!r.ok && r.issues.some((i) => i.message.startsWith('unknown key')), `validator: ${where}`);
    t.diagnostic(`${where}: refused by both`);
  }
});

test('the example and init files point editors at the schema', () => {
  for (const f of ['workers.example.yaml', 'templates/workers.yaml', 'examples/docker/workers.yaml'])
    assert.match(readFileSync(join(ROOT, f), 'utf8'), /^# yaml-language-server: \$schema=\S+$/m, f);
});
