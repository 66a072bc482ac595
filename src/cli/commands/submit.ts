// `gmsup submit FUNCTION [DATA]`: submits one job (DATA, or stdin when absent, like `gearman -f`) and
// prints the result bytes as-is, or the handle for --background. WORK_DATA chunks stream to stdout.

import { parseCommandArgs } from '../args.js';
import { GearmanClient } from '../../client/index.js';
import type { Priority, ServerSelection } from '../../client/index.js';
import { parseKeepaliveText } from '../../config/keepalive.js';
import { GmsupError } from '../../shared/errors.js';
import { DEFAULT_SERVER_ADDRESS, formatHostPort, parseServerList } from '../../shared/host-port.js';

const HELP = `Usage: gmsup submit FUNCTION [DATA]      (DATA from stdin when absent)
  -s, --servers H:P[,H:P]   job servers (default ${DEFAULT_SERVER_ADDRESS})
      --selection S         balanced (default: a job with --unique goes to the server its unique
                            hashes to, others round-robin) or ordered (the first server that is up)
      --keepalive SPEC      TCP keepalive: idle=10s,interval=2s,count=3 (the default) or off
  -b, --background          queue the job and print its handle
  -I, --high                high priority
  -L, --low                 low priority
  -u, --unique ID           unique id (identical running jobs coalesce)
  -t, --timeout MS          give up after MS milliseconds (exit 11)
  -v, --verbose             print status and progress to stderr
Exit status: 0 ok, 4 job failed (the exception text goes to stderr), 5 no server reachable.`;

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

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      servers: { type: 'string', short: 's' },
      background: { type: 'boolean', short: 'b' },
      high: { type: 'boolean', short: 'I' },
      low: { type: 'boolean', short: 'L' },
      unique: { type: 'string', short: 'u' },
      timeout: { type: 'string', short: 't' },
      verbose: { type: 'boolean', short: 'v' },
      selection: { type: 'string' },
      keepalive: { type: 'string' },
    },
    HELP,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [fn, data, ...extra] = positionals;
  if (!fn) throw new GmsupError('USAGE', `missing FUNCTION\n${HELP}`);
  if (extra.length > 0)
    throw new GmsupError('USAGE', `unexpected arguments ${JSON.stringify(extra)} (quote DATA)\n${HELP}`);
  if (values.high && values.low) throw new GmsupError('USAGE', '--high and --low exclude each other');
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    if (!/^\d+$/.test(values.timeout) || Number(values.timeout) <= 0)
      throw new GmsupError(
        'USAGE',
        `--timeout must be a positive number of milliseconds, got ${JSON.stringify(values.timeout)}`,
      );
    timeoutMs = Number(values.timeout);
  }
  const priority: Priority = values.high ? 'high' : values.low ? 'low' : 'normal';
  const servers = parseServerList(values.servers ?? DEFAULT_SERVER_ADDRESS).map(formatHostPort);
  if (servers.length === 0) throw new GmsupError('USAGE', '--servers is empty');
  const payload = data !== undefined ? Buffer.from(data) : await readStdin();
  const verbose = values.verbose ?? false;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const selection = values.selection ?? 'balanced';
  if (selection !== 'balanced' && selection !== 'ordered')
    throw new GmsupError('USAGE', `--selection must be balanced or ordered, got ${JSON.stringify(selection)}`);
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
