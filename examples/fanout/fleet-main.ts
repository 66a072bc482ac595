// CLI for the local fleet: `node --import tsx examples/fanout/fleet-main.ts [--count 2000] ...`.
// Prints one `fleet ready ...` line when every endpoint listens; stops cleanly on SIGTERM/SIGINT.

import { parseArgs } from 'node:util';
import { formatLatency } from './fleet-behaviour.js';
import { FLEET_OPTION_SPEC, behaviourFromOptions, intOption } from './fleet-options.js';
import { startFleet } from './fleet.js';
import { DEFAULT_BASE_PORT, endpointAt } from './targets.js';

const USAGE = `usage: fleet-main.ts [--count N] [--base-port P] [--procs K] [--control-port P]
  [--latency MS|uniform:MIN-MAX|normal:MEAN,SD] [--fail-rate 0..1] [--fail-kinds 5xx,reset,timeout]
  [--seed N] [--size BYTES]
Endpoint i listens on 127.0.(1+i/250).(1+i%250):(base-port+i). Control: GET /counts[?detail=1],
POST /reset, POST /configure {json behaviour}, GET /health on 127.0.0.1:control-port.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      'base-port': { type: 'string' },
      procs: { type: 'string' },
      'control-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...FLEET_OPTION_SPEC,
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const count = intOption('count', values.count, 2000, 1);
  const basePort = intOption('base-port', values['base-port'], DEFAULT_BASE_PORT, 1);
  const fleet = await startFleet({
    count,
    basePort,
    procs: intOption('procs', values.procs, 2, 1),
    controlPort: intOption('control-port', values['control-port'], 0),
    behaviour: behaviourFromOptions(values),
  });
  const first = endpointAt(0, basePort);
  const last = endpointAt(count - 1, basePort);
  const b = fleet.behaviour();
  process.stdout.write(
    `fleet ready: ${count} endpoints ${first.host}:${first.port} .. ${last.host}:${last.port}, ` +
      `latency ${formatLatency(b.latency)} ms, ` +
      `fail rate ${b.failRate} (${b.failKinds.join(',')}), ${b.sizeBytes} B bodies, control ${fleet.controlUrl}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await fleet.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fleet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
