// `gmsup submit FUNCTION [DATA]`: submits one job (DATA, or stdin when absent, like `gearman -f`) and
// prints the result bytes as-is, or the handle for --background. WORK_DATA chunks stream to stdout.

import { usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { serversOf } from '../servers-option.js';
import { GearmanClient } from '../../client/index.js';
import type { Priority, ServerSelection } from '../../client/index.js';
import { parseKeepaliveText } from '../../config/keepalive.js';

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.once('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.once('error', reject);
  });
}

/** Whether the last byte written to stdout was a newline (so a terminal prompt starts on its own line). */
let endsWithNewline = true;

function write(bytes: Buffer | string): Promise<void> {
  if (bytes.length > 0) endsWithNewline = bytes[bytes.length - 1] === (typeof bytes === 'string' ? '\n' : 0x0a);
  return new Promise((resolve, reject) => process.stdout.write(bytes, (err) => (err ? reject(err) : resolve())));
}

export async function run(args: ParsedArgs<'submit'>): Promise<number> {
  const { values } = args;
  const [fn, data, ...extra] = args.positionals;
  if (!fn) throw usageError('submit', 'missing FUNCTION');
  if (extra.length > 0) throw usageError('submit', `unexpected arguments ${JSON.stringify(extra)} (quote DATA)`);
  if (values.high && values.low) throw usageError('submit', '--high and --low exclude each other');
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    if (!/^\d+$/.test(values.timeout) || Number(values.timeout) <= 0)
      throw usageError(
        'submit',
        `--timeout must be a positive number of milliseconds, got ${JSON.stringify(values.timeout)}`,
      );
    timeoutMs = Number(values.timeout);
  }
  const priority: Priority = values.high ? 'high' : values.low ? 'low' : 'normal';
  const servers = await serversOf(args);
  const payload = data !== undefined ? Buffer.from(data) : await readStdin();
  const verbose = values.verbose ?? false;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const selection = values.selection ?? 'balanced';
  if (selection !== 'balanced' && selection !== 'ordered')
    throw usageError('submit', `--selection must be balanced or ordered, got ${JSON.stringify(selection)}`);
  const keepalive = values.keepalive !== undefined ? (parseKeepaliveText(values.keepalive) ?? false) : undefined;
  const client = new GearmanClient({ servers, selection: selection as ServerSelection, keepalive });
  try {
    if (values.background) {
      const handle = await client.submitBackground(fn, payload, { priority, unique: values.unique, timeoutMs });
      if (verbose) log(`queued on ${client.serverOf(handle) ?? client.connectedTo ?? servers[0]} as ${handle}`);
      await write(`${handle}\n`);
      return 0;
    }
    // Chunks are written in arrival order; the result follows once the last chunk is flushed.
    let flushed: Promise<void> = Promise.resolve();
    const result = await client.submit(fn, payload, {
      priority,
      unique: values.unique,
      timeoutMs,
      exceptions: true,
      onData: (chunk) => {
        flushed = flushed.then(() => write(chunk));
      },
      onWarning: (chunk) => log(`warning: ${chunk.toString('utf8')}`),
      onStatus: verbose ? (n, d) => log(`status ${n}/${d}`) : undefined,
    });
    await flushed;
    await write(result);
    // At a terminal, end the line; piped or redirected, the result stays byte for byte what the worker sent.
    if (process.stdout.isTTY && !endsWithNewline) await write('\n');
    return 0;
  } finally {
    await client.close();
  }
}
