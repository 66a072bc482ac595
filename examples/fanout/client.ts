// The fan-out client CLI: one `http_call` job per target (a URL file, or `--targets N` for the local
// fleet), retries with backoff, prints a summary and writes a JSON report.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { intOption } from './fleet-options.js';
import { formatSummary } from './report.js';
import { DEFAULT_RETRIES, runFanout } from './run-fanout.js';
import { DEFAULT_BASE_PORT, fleetUrls, readTargetFile } from './targets.js';

const USAGE = `usage: client.ts (--targets N [--base-port P] | --target-file FILE) [options]
  --servers H:P[,H:P]   job servers (default 127.0.0.1:4740, the one fanout.yaml starts)
  --method GET|POST     GET pulls and aggregates the bodies; POST pushes the payload (default GET)
  --body TEXT | --body-file FILE | --body-bytes N   the POST payload (default 256 bytes)
  --repeat K            calls per target (default 1)
  --retries N           resubmits of a failed call, with capped backoff (default ${DEFAULT_RETRIES})
  --call-timeout-ms MS  per-call HTTP timeout in the worker (default 10000)
  --max-in-flight N     jobs in flight at once (default: all)
  --fleet-control URL   compare with the local fleet's own request count
  --report FILE         JSON report (default fanout-report.json; '-' for none)
  --function NAME       (default http_call)`;

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: {
      targets: { type: 'string' },
      'base-port': { type: 'string' },
      'target-file': { type: 'string' },
      servers: { type: 'string' },
      method: { type: 'string' },
      body: { type: 'string' },
      'body-file': { type: 'string' },
      'body-bytes': { type: 'string' },
      repeat: { type: 'string' },
      retries: { type: 'string' },
      'call-timeout-ms': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'fleet-control': { type: 'string' },
      report: { type: 'string' },
      function: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const method = (v.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new Error('--method must be GET or POST');
  let urls: string[];
  if (v['target-file']) urls = readTargetFile(v['target-file']);
  else if (v.targets)
    urls = fleetUrls(
      intOption('targets', v.targets, 2000, 1),
      intOption('base-port', v['base-port'], DEFAULT_BASE_PORT, 1),
    );
  else throw new Error(`give --targets N or --target-file FILE\n${USAGE}`);
  if (urls.length === 0) throw new Error('no targets');
  let body: string | undefined;
  if (method === 'POST') {
    body =
      v.body ??
      (v['body-file']
        ? readFileSync(v['body-file'], 'utf8')
        : 'p'.repeat(intOption('body-bytes', v['body-bytes'], 256)));
  }
  const report = await runFanout({
    servers: (v.servers ?? '127.0.0.1:4740').split(',').map((s) => s.trim()),
    fn: v.function,
    urls,
    method,
    body,
    repeat: intOption('repeat', v.repeat, 1, 1),
    retries: intOption('retries', v.retries, DEFAULT_RETRIES),
    callTimeoutMs: v['call-timeout-ms'] ? intOption('call-timeout-ms', v['call-timeout-ms'], 10_000, 1) : undefined,
    maxInFlight: v['max-in-flight'] ? intOption('max-in-flight', v['max-in-flight'], 1, 1) : undefined,
    fleetControlUrl: v['fleet-control'],
  });
  process.stdout.write(`${formatSummary(report)}\n`);
  const file = v.report ?? 'fanout-report.json';
  if (file !== '-') {
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`  report: ${file}\n`);
  }
  return report.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fanout client: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
