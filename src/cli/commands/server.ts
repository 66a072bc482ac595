// `gmsup server`: runs the embedded job server in the foreground until SIGINT/SIGTERM (or the
// `shutdown` admin command), then closes it and exits 0.

import { usageError } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { DEFAULT_SERVER_ADDRESS, parseHostPort } from '../../shared/host-port.js';
import { parseStoreUrl } from '../../shared/store-url.js';
import { startJobServer } from '../../server/index.js';
import { parseKeepaliveText } from '../../config/keepalive.js';
import { describeKeepalive, keepaliveSupport, resolveKeepalive } from '../../shared/tcp-keepalive.js';
import { startHttpListener } from '../../http/index.js';
import { parseHttpFlags } from '../http-flags.js';

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
  const parsedStore = parseStoreUrl(values.store ?? 'memory', process.cwd());
  if (!parsedStore.ok) throw usageError('server', `--store: ${parsedStore.message}`);
  const keepalive = values.keepalive !== undefined ? parseKeepaliveText(values.keepalive) : resolveKeepalive(undefined);
  const httpFlags = parseHttpFlags(values); // refused settings exit 2 before any port is opened
  const server = await startJobServer({
    store: parsedStore.spec,
    host: hp.host,
    port: hp.port,
    maxPacketBytes,
    jobHandlePrefix: values['job-handle-prefix'],
    verboseLevel: verbose ? 'INFO' : undefined,
    keepalive,
    // The job store's lines (loaded, failing, writing again) are always shown; the rest with --verbose.
    log: (line) => {
      if (verbose || line.startsWith('job store ')) process.stderr.write(`${line}\n`);
    },
  });
  process.stdout.write(`listening on ${server.address}\n`);
  if (verbose) process.stderr.write(`TCP keepalive: ${describeKeepalive(keepalive)}\n`);
  const support = keepaliveSupport();
  if (keepalive && !support.full)
    process.stderr.write(
      `warning: TCP keepalive interval and count cannot be set here (${support.error}); ` +
        "the system's net.ipv4.tcp_keepalive_intvl/probes apply\n",
    );
  const http = httpFlags
    ? await startHttpListener({
        ...httpFlags,
        gateway: server.local,
        log: (line) => process.stderr.write(`${line}\n`),
      }).catch(async (err: unknown) => {
        await server.close();
        throw err;
      })
    : null;
  if (http) process.stdout.write(`http listening on ${http.address}\n`);

  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const why = await Promise.race([signalled, server.closed.then(() => 'shutdown')]);
  if (verbose) process.stderr.write(`closing (${why})\n`);
  await http?.close();
  await server.close();
  return 0;
}
