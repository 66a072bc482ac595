// Builds dist/ from src/: a per-file TypeScript -> ESM transpile with esbuild (no bundling, no type
// check; `npm run typecheck` does that). Per file, so one broken file does not block the others;
// unchanged outputs are not rewritten, so concurrent builds and running processes do not race.
import { transform } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
const outDir = join(root, 'dist');

function listTs(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

let failed = 0;
await Promise.all(
  listTs(srcDir).map(async (file) => {
    const rel = relative(srcDir, file);
    const out = join(outDir, rel.replace(/\.ts$/, '.js'));
    try {
      const result = await transform(readFileSync(file, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        platform: 'node',
        target: 'node20',
        sourcefile: file,
        sourcemap: 'inline',
      });
      writeIfChanged(out, result.code);
    } catch (err) {
      failed++;
      console.error(`build: ${rel}: ${err.message}`);
    }
  }),
);
if (failed > 0) process.exit(1);
