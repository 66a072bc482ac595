// Safe creation and opening of the daemon's state: directories 0700 and files 0600 whatever the umask,
// never a file opened through a symbolic link (O_NOFOLLOW), and a state directory that others may write
// to or that belongs to another user refused (STATE_UNSAFE) instead of used. What cannot be created or
// opened at all (no permission, read-only file system) is STATE_DIR.

import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  statSync,
} from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { GmsupError } from './errors.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_TRUNC, O_NOFOLLOW, O_NONBLOCK } = constants;
/** Group or others may write: they could swap files under the daemon. */
const WRITABLE_BY_OTHERS = 0o022;

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code;
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

function unsafe(message: string, cause?: unknown): GmsupError {
  return new GmsupError('STATE_UNSAFE', message, cause === undefined ? undefined : { cause });
}

function unusable(message: string, cause: unknown): GmsupError {
  return new GmsupError('STATE_DIR', message, { cause });
}

/**
 * Makes `dir` a private state directory: creates it and every missing directory between `managedFrom`
 * (an ancestor of `dir` or `dir` itself: where gmsup's own directories begin, e.g. `.gmsup`) and it,
 * each with mode 0700, then checks each of them: a directory, owned by this user, not writable by others.
 * Directories above `managedFrom` belong to the user and are not judged.
 */
export function prepareStateDir(dir: string, managedFrom: string = dir): void {
  const top = resolve(managedFrom);
  const target = resolve(dir);
  const rel = relative(top, target);
  if (rel.startsWith('..') || resolve(top, rel) !== target)
    throw new GmsupError('INTERNAL', `${managedFrom} is not an ancestor of ${dir}`);
  const chain = [top];
  for (const part of rel === '' ? [] : rel.split(sep)) chain.push(resolve(chain.at(-1) ?? top, part));
  try {
    mkdirSync(dirname(top), { recursive: true }); // the user's part of the path, as the user's umask says
  } catch (err) {
    throw unusable(`cannot create ${dirname(top)}: ${(err as Error).message}`, err);
  }
  for (const d of chain) {
    makePrivateDir(d);
    checkPrivateDir(d);
  }
}

function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return; // judged by checkPrivateDir, never changed behind the user's back
    throw unusable(`cannot create the state directory ${dir}: ${(err as Error).message}`, err);
  }
  chmodSync(dir, PRIVATE_DIR_MODE); // mkdir's mode is filtered through the umask (umask 0777 would leave 0000)
}

/** Refuses a state directory that is not a directory, not this user's, or writable by group or others. */
export function checkPrivateDir(dir: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch (err) {
    throw unusable(`cannot use the state directory ${dir}: ${(err as Error).message}`, err);
  }
  if (!st.isDirectory()) throw unsafe(`the state directory ${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw unsafe(`the state directory ${dir} is owned by uid ${st.uid}, not by you (uid ${uid}); remove it`);
  if ((st.mode & WRITABLE_BY_OTHERS) !== 0)
    throw unsafe(
      `the state directory ${dir} is writable by others (mode ${octal(st.mode)}): ` +
        `another user could replace the daemon's files; chmod 700 it (or remove it)`,
    );
}

/** Refuses any of `paths` that exists and is a symbolic link or not a regular file (a check before a start). */
export function refuseUnsafeFiles(paths: readonly string[]): void {
  for (const path of paths) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch (err) {
      if (codeOf(err) === 'ENOENT') continue;
      throw unusable(`cannot check ${path}: ${(err as Error).message}`, err);
    }
    if (st.isSymbolicLink()) throw symlinkRefused(path);
    if (!st.isFile()) throw unsafe(`${path} is not a regular file; remove it`);
  }
}

function symlinkRefused(path: string): GmsupError {
  return unsafe(`${path} is a symbolic link; gmsup does not write through links: remove it`);
}

/**
 * Opens a state file for writing, never through a symbolic link (O_NOFOLLOW), never blocking on a FIFO
 * (O_NONBLOCK, then refused as not a regular file); a file it creates gets mode 0600 exactly.
 * `append` keeps what is there; otherwise the file is truncated. Returns the fd (close-on-exec, as libuv opens).
 */
export function openPrivateFile(path: string, how: 'append' | 'truncate'): number {
  const flags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | (how === 'append' ? O_APPEND : O_TRUNC);
  // Bounded: the file can only vanish between the two opens if someone removes it meanwhile.
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    let created = false;
    try {
      fd = openSync(path, flags | O_CREAT | O_EXCL, PRIVATE_FILE_MODE);
      created = true;
    } catch (err) {
      if (codeOf(err) !== 'EEXIST') throw openFailed(path, err);
      try {
        fd = openSync(path, flags);
      } catch (err2) {
        if (codeOf(err2) === 'ENOENT') continue;
        throw openFailed(path, err2);
      }
    }
    try {
      if (!fstatSync(fd).isFile()) throw unsafe(`${path} is not a regular file; remove it`);
      if (created) fchmodSync(fd, PRIVATE_FILE_MODE);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return fd;
  }
  throw unsafe(`${path} keeps disappearing while it is opened`);
}

function openFailed(path: string, err: unknown): GmsupError {
  if (codeOf(err) === 'ELOOP') return symlinkRefused(path);
  return unusable(`cannot open ${path}: ${(err as Error).message}`, err);
}
