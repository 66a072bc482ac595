// Rotation of one log file F: F.<keep-1> -> F.<keep> ... F -> F.1 (the oldest beyond keep deleted), and
// with `compress` a background gzip of the new F.1 into F.1.gz (via F.1.gz.tmp, so a half-written .gz is
// never mistaken for a complete one). Both plain and .gz rotated files are shifted, so turning
// compression on or off keeps the older files in order.

import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PRIVATE_FILE_MODE } from '../shared/state-files.js';

export interface Rotation {
  path: string;
  keep: number;
  compress: boolean;
}

const SUFFIXES = ['', '.gz'] as const;

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';

async function renameIfThere(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

/**
 * Shifts the rotated files and moves F to F.1 (F itself is gone afterwards: the caller opens a new one).
 * Resolves, once the renames are done, with the background compression of F.1 (or null without one),
 * wrapped so that awaiting the rotation does not wait for the compression.
 */
export async function rotateFiles(r: Rotation): Promise<{ compression: Promise<void> } | null> {
  const { path, keep } = r;
  if (keep <= 0) {
    await rm(path, { force: true });
    return null;
  }
  for (const suffix of SUFFIXES) await rm(`${path}.${keep}${suffix}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    for (const suffix of SUFFIXES) await renameIfThere(`${path}.${i}${suffix}`, `${path}.${i + 1}${suffix}`);
  }
  await renameIfThere(path, `${path}.1`);
  if (!r.compress) return null;
  const compression = gzipFile(`${path}.1`);
  compression.catch(() => {}); // marked handled here; the caller attaches the handler that reports it
  return { compression };
}

/** Gzips `file` into `file.gz` and removes `file`; runs in zlib's thread pool, off the event loop. */
export async function gzipFile(file: string): Promise<void> {
  const tmp = `${file}.gz.tmp`;
  const { O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = constants;
  const input = await open(file, O_RDONLY | O_NOFOLLOW);
  try {
    const output = await open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, PRIVATE_FILE_MODE).catch(
      async (err: unknown) => {
        await input.close();
        throw err;
      },
    );
    await output.chmod(PRIVATE_FILE_MODE).catch(async (err: unknown) => {
      await Promise.all([input.close(), output.close()]);
      throw err;
    });
    // The streams own the handles from here and close them, also on failure.
    await pipeline(input.createReadStream(), createGzip(), output.createWriteStream());
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await rename(tmp, `${file}.gz`);
  await rm(file, { force: true });
}
