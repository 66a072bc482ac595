// `gmsup server`: runs the embedded job server in the foreground until SIGINT/SIGTERM (or the
// `shutdown` admin command), then closes it and exits 0.

import { parseCommandArgs } from '../args.js';
import { GmsupError } from '../../shared/errors.js';
import { DEFAULT_SERVER_ADDRESS, parseHostPort } from '../../shared/host-port.js';
import { parseStoreUrl } from '../../shared/store-url.js';
import { startJobServer } from '../../server/index.js';
import { parseKeepaliveText } from '../../config/keepalive.js';
import { describeKeepalive, keepaliveSupport, resolveKeepalive } from '../../shared/tcp-keepalive.js';
import { startHttpListener } from '../../http/index.js';
import { HTTP_FLAGS, HTTP_FLAGS_HELP, parseHttpFlags } from '../http-flags.js';

const HELP = `Usage: gmsup server [--listen HOST:PORT] [--store URL] [--job-handle-prefix P] [--max-packet-size BYTES]
                    [--keepalive SPEC] [--verbose] [--http HOST:PORT [--http-token TOKEN]]

Runs the embedded Gearman job server (default ${DEFAULT_SERVER_ADDRESS}) until SIGINT or SIGTERM.
  --listen HOST:PORT       address to listen on (port 0 = any free port)
  --store URL              where background jobs are kept: memory (default), sqlite:PATH (relative to the
                           current directory) or postgres://user@host/db; ?sync=full|normal (docs/store.md)
  --job-handle-prefix P    job handles become P:<n> (default H:<hostname>)
  --max-packet-size BYTES  largest packet accepted (default 128 MiB)
  --keepalive SPEC         TCP keepalive on every connection: idle=10s,interval=2s,count=3 (the default;
                           user_timeout=16s follows them) or off. A peer whose host vanished is dropped,
                           its jobs requeued, within idle + interval x count
  --verbose                log connections errors to stderr; \`verbose\` reports INFO
${HTTP_FLAGS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      listen: { type: 'string' },
      store: { type: 'string' },
      'job-handle-prefix': { type: 'string' },
      'max-packet-size': { type: 'string' },
      verbose: { type: 'boolean' },
      keepalive: { type: 'string' },
      ...HTTP_FLAGS,
    },
    HELP,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length > 0)
    throw new GmsupError('USAGE', `unexpected argument ${JSON.stringify(positionals[0])}\n${HELP}`);
  const hp = parseHostPort(values.listen ?? DEFAULT_SERVER_ADDRESS);
  let maxPacketBytes: number | undefined;
  if (values['max-packet-size'] !== undefined) {
    const text = values['max-packet-size'];
    if (!/^\d+$/.test(text) || Number(text) < 64 || Number(text) > 0xffffffff) {
      throw new GmsupError(
        'USAGE',
        `--max-packet-size must be a byte count between 64 and 4294967295, got ${JSON.stringify(text)}`,
      );
    }
    maxPacketBytes = Number(text);
  }
  const verbose = values.verbose === true;
  const parsedStore = parseStoreUrl(values.store ?? 'memory', process.cwd());
  if (!parsedStore.ok) throw new GmsupError('USAGE', `--store: ${parsedStore.message}`);
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
