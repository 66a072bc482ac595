// `gmsup logs [NAME] [FILE] [-f] [-n N] [--json]`: the daemon's and the workers' lines from the log
// files in the state directory, merged by time, so it works when the daemon is down; -f follows the
// files (across rotation) until interrupted. A daemon of gmsup 0.1.0 kept its own lines only in memory
// when in the foreground (no daemon.log): such a daemon is read over its control socket instead.

import { existsSync } from 'node:fs';
import { namesAndFile, usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { FileFollower, lastLines, logFilesOf, parseLogText, wanted } from '../log-files.js';
import { connectDaemon } from '../../control/connect.js';
import type { LogLine } from '../../control/protocol.js';
import { daemonLogPath, stateDirFor } from '../../shared/state-dir.js';

const POLL_MS = 250;

/** Text: `TIME SOURCE[ !] TEXT`, SOURCE `name/index/pid`, `daemon` or `daemon:name` (! marks stderr). */
function printer(json: boolean): (l: LogLine) => void {
  return (l) => {
    if (json) {
      process.stdout.write(`${JSON.stringify(l)}\n`);
      return;
    }
    const source =
      l.stream === 'daemon' && l.worker !== null && l.source === 'daemon' ? `daemon:${l.worker}` : l.source;
    const mark = l.stream === 'stderr' ? ' !' : '';
    process.stdout.write(`${new Date(l.atMs).toISOString()} ${source}${mark} ${l.text}\n`);
  };
}

export async function run(args: ParsedArgs<'logs'>): Promise<number> {
  const { names, file } = namesAndFile(args);
  if (names.length > 1) throw usageError('logs', `one worker name at most, got ${names.join(' ')}`);
  const name = names[0];
  const text = args.values.lines ?? '100';
  if (!/^\d+$/.test(text)) throw usageError('logs', `-n must be a number of lines, got ${JSON.stringify(text)}`);
  const count = Number(text);
  const print = printer(args.values.json === true);
  const stateDir = stateDirFor(file);
  if (!existsSync(daemonLogPath(stateDir))) {
    const legacy = await fromDaemon(file, name, count, args.values.follow === true, print);
    if (legacy !== null) return legacy;
  }

  const parse = (f: string, l: string) => {
    const line = parseLogText(l);
    return line && wanted(line, f, stateDir, name) ? [line] : [];
  };
  const files = logFilesOf(stateDir, name);
  if (!existsSync(stateDir))
    process.stderr.write(`gmsup logs: no state directory ${stateDir} (has a daemon run for ${file}?)\n`);
  // The last N lines overall: the last N wanted ones of each file are enough to pick them after merging by time.
  const tail = files.flatMap((f) => lastLines(f, count, (l) => parse(f, l).length > 0).flatMap((l) => parse(f, l)));
  tail.sort((a, b) => a.atMs - b.atMs);
  for (const l of tail.slice(Math.max(0, tail.length - count))) print(l);
  if (!args.values.follow) return 0;

  const follower = new FileFollower(files);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const fresh = follower.poll(logFilesOf(stateDir, name)).flatMap(({ file: f, line }) => parse(f, line));
      fresh.sort((a, b) => a.atMs - b.atMs);
      fresh.forEach(print);
    }, POLL_MS);
    const stop = () => {
      clearInterval(timer);
      follower.close();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** A 0.1.0 daemon in the foreground: its ring of lines over the control socket; null when none answers. */
async function fromDaemon(
  file: string,
  name: string | undefined,
  count: number,
  follow: boolean,
  print: (l: LogLine) => void,
): Promise<number | null> {
  let client: Awaited<ReturnType<typeof connectDaemon>>['client'];
  try {
    client = (await connectDaemon(file)).client;
  } catch {
    return null;
  }
  if (!follow) {
    try {
      if (count > 0) (await client.call('logs', { name, lines: count })).lines.forEach(print);
    } finally {
      client.close();
    }
    return 0;
  }
  const closed = new Promise<void>((resolve) => client.onClosed(() => resolve()));
  const initial = await client.followLogs({ name, lines: Math.max(1, count) }, print);
  initial.slice(initial.length - count).forEach(print);
  const stop = () => client.close();
  process.once('SIGINT', stop);
  await closed;
  process.off('SIGINT', stop);
  return 0;
}
