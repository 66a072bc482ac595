// `npm run docs`: writes what is generated from the code: schema/workers.schema.json (from the config's
// key rules) and the README's exit status table (from src/shared/errors.ts). Unit tests fail when the
// committed files differ from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { workersFileSchema } from '../src/config/schema.js';
import { exitStatusTable } from '../src/shared/errors.js';
import { VERSION } from '../src/shared/version.js';

const schema = new URL('../schema/workers.schema.json', import.meta.url);
writeFileSync(schema, `${JSON.stringify(workersFileSchema(VERSION), null, 2)}\n`);
console.log(`wrote ${schema.pathname}`);

export const EXIT_TABLE_START = '<!-- exit-status-table:start -->';
export const EXIT_TABLE_END = '<!-- exit-status-table:end -->';
const readme = new URL('../README.md', import.meta.url);
const text = readFileSync(readme, 'utf8');
const a = text.indexOf(EXIT_TABLE_START);
const b = text.indexOf(EXIT_TABLE_END);
if (a < 0 || b < a) throw new Error('README.md: the exit status table markers are missing');
writeFileSync(readme, `${text.slice(0, a + EXIT_TABLE_START.length)}\n${exitStatusTable()}\n${text.slice(b)}`);
console.log(`wrote the exit status table in ${readme.pathname}`);
