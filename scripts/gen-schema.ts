// Writes schema/workers.schema.json from the config's key rules (`npm run schema`); a unit test fails
// when the committed file differs from what this generates.
import { writeFileSync } from 'node:fs';
import { workersFileSchema } from '../src/config/schema.js';
import { VERSION } from '../src/shared/version.js';

const out = new URL('../schema/workers.schema.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(workersFileSchema(VERSION), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
