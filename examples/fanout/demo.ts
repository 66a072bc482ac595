// `npm run fanout`: the whole fan-out scenario in one command. Starts the local fleet, the gmsup
// daemon for fanout.yaml, pushes to and pulls from every endpoint, prints both summaries, stops all.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stateDirFor } from 'gmsup/control';
import { formatLatency } from './fleet-behaviour.js';
import { FLEET_OPTION_SPEC, behaviourFromOptions, intOption } from './fleet-options.js';
import { startFleet, type Fleet } from './fleet.js';
import { formatSummary, type FanoutReport } from './report.js';
import { runFanout } from './run-fanout.js';
import { gmsupBin, snapshot, startDaemon, statusText, stopDaemon, waitRegistered } from './daemon-ctl.js';
import { DEFAULT_BASE_PORT } from './targets.js';

const USAGE = `usage: npm run fanout -- [--targets N] [--repeat R] [--rounds K] [--tui] [--config FILE] [--base-port P]
  [--latency MS|uniform:MIN-MAX|normal:MEAN,SD] [--fail-rate 0..1] [--fail-kinds 5xx,reset,timeout] [--size BYTES]
Defaults: 2000 targets, 1 call each (--repeat 10: 20,000 calls, the queue then visibly drains),
50 ms latency, 1% failures (5xx and resets, retried by the client), 1 round.
--tui opens the dashboard (gmsup tui) while the rounds run; quit it with q, the summaries follow.`;

const { values: v } = parseArgs({
  options: {
    targets: { type: 'string' },
    rounds: { type: 'string' },
    repeat: { type: 'string' },
    tui: { type: 'boolean' },
    config: { type: 'string' },
    'base-port': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...FLEET_OPTION_SPEC,
  },
});
if (v.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const configFile = v.config ?? fileURLToPath(new URL('./fanout.yaml', import.meta.url));
const count = intOption('targets', v.targets, 2000, 1);
const rounds = intOption('rounds', v.rounds, v.tui ? 3 : 1, 1);
const repeat = intOption('repeat', v.repeat, 1, 1);
const lines: string[] = [];
// With the dashboard on screen, our own lines wait until it closes.
const say = (line: string) => (v.tui ? lines.push(line) : process.stdout.write(`${line}\n`));

let fleet: Fleet | null = null;
let daemonStarted = false;
let tui: ChildProcess | null = null;

async function cleanup(): Promise<void> {
  if (tui && tui.exitCode === null) tui.kill('SIGTERM');
  if (daemonStarted) {
    daemonStarted = false;
    stopDaemon(configFile);
  }
  await fleet?.close();
}

async function main(): Promise<number> {
  fleet = await startFleet({
    count,
    basePort: intOption('base-port', v['base-port'], DEFAULT_BASE_PORT, 1),
    behaviour: { failRate: 0.01, failKinds: ['5xx', 'reset'], ...behaviourFromOptions(v) },
  });
  const b = fleet.behaviour();
  say(
    `fleet: ${count} endpoints on 127.0.x.y, latency ${formatLatency(b.latency)} ms, ` +
      `fail rate ${b.failRate} (${b.failKinds.join(',')}), control ${fleet.controlUrl}`,
  );

  const startedMs = Date.now();
  startDaemon(configFile);
  daemonStarted = true;
  const snap = await waitRegistered(configFile);
  const servers = snap.servers.map((s) => s.address);
  const registeredMs = Date.now() - startedMs;
  say(`gmsup: ${snap.instances.length} http_call workers registered on ${servers.join(',')} in ${registeredMs} ms`);

  if (v.tui) {
    tui = spawn(process.execPath, [gmsupBin, 'tui', configFile], { stdio: 'inherit' });
  }
  const reports: FanoutReport[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const method of ['POST', 'GET'] as const) {
      const r = await runFanout({
        servers,
        urls: fleet.urls,
        method,
        repeat,
        body:
          method === 'POST'
            ? JSON.stringify({ round, price: 42, items: Array.from({ length: 8 }, (_, i) => `sku-${i}`) })
            : undefined,
        fleetControlUrl: fleet.controlUrl,
      });
      reports.push(r);
      say(`\n${method === 'POST' ? 'push' : 'pull'} (round ${round}/${rounds}):\n${formatSummary(r)}`);
    }
  }
  if (tui && tui.exitCode === null && tui.signalCode === null) {
    // The dashboard stays up until the user quits it (one that failed at start has exited already).
    const t = tui;
    await new Promise((resolve) => t.once('exit', resolve));
  }
  // The daemon polls the job server once a second: wait (bounded) for a poll taken after the last round.
  const doneAtMs = Date.now();
  for (let i = 0; i < 30; i++) {
    const snap = await snapshot(configFile);
    if (!snap || snap.servers.every((srv) => srv.polledAtMs !== null && srv.polledAtMs > doneAtMs)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  say(`\n${statusText(configFile).trimEnd()}`);
  const reportFile = join(stateDirFor(configFile), 'fanout-report.json');
  mkdirSync(stateDirFor(configFile), { recursive: true });
  writeFileSync(reportFile, `${JSON.stringify(reports, null, 2)}\n`);
  say(`\nreports: ${reportFile}`);
  return reports.every((r) => r.failed === 0 && r.fleet?.matches) ? 0 : 1;
}

let stopping = false;
const onSignal = () => {
  if (stopping) process.exit(130);
  stopping = true;
  process.stderr.write('fanout demo: stopping...\n');
  cleanup().then(
    () => process.exit(130),
    () => process.exit(130),
  );
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed terminal (or tmux session) must not leave the daemon and the fleet behind.
process.on('SIGHUP', onSignal);

main().then(
  async (code) => {
    await cleanup();
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
    process.exit(code);
  },
  async (err: unknown) => {
    await cleanup().catch(() => undefined);
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
    process.stderr.write(`fanout demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
