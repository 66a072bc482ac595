// Fails when a tracked source file has a line over 120 characters: the formatter wraps code at 120 but
// leaves long strings and comments alone. Markdown is exempt (tables). Part of `npm run lint`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX_CHARS = 120;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|json|ya?ml|sh)$/;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => SOURCE.test(f) && !f.endsWith('package-lock.json'));
let bad = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if ([...line].length > MAX_CHARS) {
      bad++;
      if (bad <= 50) console.error(`${file}:${i + 1}: ${[...line].length} characters (limit ${MAX_CHARS})`);
    }
  });
}
if (bad > 0) {
  console.error(`check-lines: ${bad} line(s) over ${MAX_CHARS} characters`);
  process.exit(1);
}
