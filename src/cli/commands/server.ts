// `gmsup server`: runs the embedded job server in the foreground until SIGINT/SIGTERM (or the
// `shutdown` admin command), then closes it and exits 0.

import { usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { DEFAULT_SERVER_ADDRESS, parseHostPort } from '../../shared/host-port.js';
import { startJobServer } from '../../server/index.js';

export async function run(args: ParsedArgs<'server'>): Promise<number> {
  const { values } = args;
  const hp = parseHostPort(values.listen ?? DEFAULT_SERVER_ADDRESS);
  let maxPacketBytes: number | undefined;
  if (values['max-packet-size'] !== undefined) {
    const text = values['max-packet-size'];
    if (!/^\d+$/.test(text) || Number(text) < 64 || Number(text) > 0xffffffff) {
      throw usageError(
        'server',
        `--max-packet-size must be a byte count from 64 to 4294967295, got ${JSON.stringify(text)}`,
      );
    }
    maxPacketBytes = Number(text);
  }
  const verbose = values.verbose === true;
  const server = await startJobServer({
    host: hp.host,
    port: hp.port,
    maxPacketBytes,
    jobHandlePrefix: values['job-handle-prefix'],
    verboseLevel: verbose ? 'INFO' : undefined,
    log: verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  process.stdout.write(`listening on ${server.address}\n`);

  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const why = await Promise.race([signalled, server.closed.then(() => 'shutdown')]);
  if (verbose) process.stderr.write(`closing (${why})\n`);
  await server.close();
  return 0;
}
