// Fan-out benchmark (issue 6): wall time for 2000 targets at 50 ms latency, push and pull, and 20,000
// calls (10 per address): gmsup client + workers (embedded server) beside one direct Node process,
// PHP curl_multi, and the same gmsup workers through gearmand 1.1.20, all in the same run.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleet } from '../../examples/fanout/fleet.js';
import { startDaemon, stopDaemon, waitRegistered } from '../../examples/fanout/daemon-ctl.js';
import { expectedPullHash } from '../../examples/fanout/targets.js';
import { freePort, startGearmand } from '../../test/helpers/gearmand.js';
import { median, runCurlMulti, runDirect, runGmsupClient, type RunResult, type Scenario } from '../lib/fanout-runs.js';
import type { BenchRow } from '../report.js';

const TARGETS = 2000;
const BASE_PORT = 29000;
const LATENCY_MS = 50;
const BODY_BYTES = 1024;
const POST_BYTES = 256;
/** Calls in flight: 2 worker processes x 1000 for gmsup, the same 2000 for the references. */
const CONCURRENCY = 2000;
const httpCallModule = fileURLToPath(new URL('../../examples/fanout/http-call.ts', import.meta.url));

/** What one scenario runs: gmsup (embedded server, gearmand) and the references (fresh and warm). */
type Variant = 'embedded' | 'gearmand' | 'directFresh' | 'curlFresh' | 'directWarm' | 'curlWarm';

function configYaml(serverLines: string): string {
  return `${serverLines}
workers:
  http_call:
    module: ${JSON.stringify(httpCallModule)}
    per_core: 1
    concurrency: ${CONCURRENCY / 2}
    timeout: 30s
`;
}

export default async function fanoutBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gmsup-bench-fanout-'));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const fleet = await startFleet({
      count: TARGETS,
      basePort: BASE_PORT,
      procs: 2,
      behaviour: { latency: { kind: 'fixed', ms: LATENCY_MS }, sizeBytes: BODY_BYTES },
    });
    cleanups.unshift(() => fleet.close());
    const gearmand = await startGearmand();
    cleanups.unshift(() => gearmand.stop());

    const embeddedPort = await freePort();
    const embeddedConfig = join(dir, 'fanout-embedded.yaml');
    writeFileSync(embeddedConfig, configYaml(`server:\n  listen: 127.0.0.1:${embeddedPort}`));
    const gearmandConfig = join(dir, 'fanout-gearmand.yaml');
    writeFileSync(gearmandConfig, configYaml(`servers: [127.0.0.1:${gearmand.port}]`));
    for (const file of [embeddedConfig, gearmandConfig]) {
      startDaemon(file);
      cleanups.unshift(() => stopDaemon(file));
      await waitRegistered(file);
    }
    const variants = {
      embedded: (s: Scenario) => runGmsupClient(s, `127.0.0.1:${embeddedPort}`, fleet.controlUrl, dir),
      gearmand: (s: Scenario) => runGmsupClient(s, `127.0.0.1:${gearmand.port}`, fleet.controlUrl, dir),
    };

    const rows: BenchRow[] = [];
    const expectedHash = expectedPullHash(TARGETS, BODY_BYTES);
    const check = (name: string, s: Scenario, rs: RunResult[], problems: string[]) => {
      for (const r of rs) {
        if (r.ok !== r.calls) problems.push(`${name}: ${r.ok}/${r.calls} ok`);
        if (s.method === 'GET' && r.combinedHash !== expectedHash)
          problems.push(`${name}: pulled bodies do not hash as expected`);
        if (r.fleetMatches === false) problems.push(`${name}: fleet count differs from the client's`);
      }
    };

    // The very first run after start: workers not yet JIT-warm and no connection open to the fleet.
    const pull2k: Scenario = {
      method: 'GET',
      targets: TARGETS,
      basePort: BASE_PORT,
      repeat: 1,
      bodyBytes: POST_BYTES,
      concurrency: CONCURRENCY,
    };
    const firstEmbedded = await variants.embedded(pull2k);
    const firstGearmand = await variants.gearmand(pull2k);

    const scenarios: Array<{ label: string; s: Scenario; reps: number }> = [
      { label: `2000 targets push (POST ${POST_BYTES} B)`, s: { ...pull2k, method: 'POST' }, reps: 3 },
      { label: `2000 targets pull (GET ${BODY_BYTES} B bodies)`, s: pull2k, reps: 3 },
      { label: '20,000 calls push (10 per address)', s: { ...pull2k, method: 'POST', repeat: 10 }, reps: 1 },
      { label: '20,000 calls pull (10 per address)', s: { ...pull2k, repeat: 10 }, reps: 1 },
    ];
    let firstDirect: RunResult | undefined;
    let firstCurl: RunResult | undefined;
    for (const { label, s, reps } of scenarios) {
      const got: Record<Variant, RunResult[]> = {
        embedded: [],
        gearmand: [],
        directFresh: [],
        curlFresh: [],
        directWarm: [],
        curlWarm: [],
      };
      // Interleaved, so a noisy moment hurts every variant alike.
      for (let i = 0; i < reps; i++) {
        got.embedded.push(await variants.embedded(s));
        got.gearmand.push(await variants.gearmand(s));
        got.directFresh.push(...(await runDirect(s, 1)));
        got.curlFresh.push(...(await runCurlMulti(s, 1)));
      }
      // Warm references: rounds back to back in one process, the first dropped.
      got.directWarm = (await runDirect(s, reps + 1)).slice(1);
      got.curlWarm = (await runCurlMulti(s, reps + 1)).slice(1);
      if (s === pull2k) {
        firstDirect = got.directFresh[0];
        firstCurl = got.curlFresh[0];
      }
      const problems: string[] = [];
      for (const [name, rs] of Object.entries(got)) check(name, s, rs, problems);
      const wall = (name: Variant) => median(got[name].map((r) => r.wallMs));
      rows.push({
        group: `fan-out: ${label}, ${LATENCY_MS} ms latency, concurrency ${CONCURRENCY}`,
        metric: `wall time, median of ${reps} (gmsup: fresh client CLI, 2 running workers, embedded server)`,
        unit: 'ms',
        better: 'lower',
        gmsup: wall('embedded'),
        references: [
          { name: 'one Node process, node:http keep-alive (fresh process)', value: wall('directFresh') },
          { name: 'one Node process, node:http keep-alive (warm: JIT + connections)', value: wall('directWarm') },
          { name: 'PHP curl_multi (fresh process)', value: wall('curlFresh') },
          { name: 'PHP curl_multi (warm connections)', value: wall('curlWarm') },
          { name: 'gmsup client + workers via gearmand 1.1.20', value: wall('gearmand') },
        ],
        note:
          problems.length === 0
            ? `all calls ok in every run${s.method === 'GET' ? ', bodies verified' : ''}; ` +
              "gmsup runs match the fleet's counts"
            : `PROBLEMS: ${problems.slice(0, 5).join('; ')}`,
      });
    }
    const firstProblems: string[] = [];
    check('embedded first run', pull2k, [firstEmbedded], firstProblems);
    check('gearmand first run', pull2k, [firstGearmand], firstProblems);
    rows.push({
      group: `fan-out: first 2000-target pull after gmsup start (cold workers, new connections)`,
      metric: 'wall time, one run',
      unit: 'ms',
      better: 'lower',
      gmsup: firstEmbedded.wallMs,
      references: [
        { name: 'one Node process (fresh process)', value: firstDirect?.wallMs ?? null },
        { name: 'PHP curl_multi (fresh process)', value: firstCurl?.wallMs ?? null },
        { name: 'gmsup via gearmand 1.1.20, first run', value: firstGearmand.wallMs },
      ],
      note: firstProblems.length === 0 ? 'all calls ok' : `PROBLEMS: ${firstProblems.join('; ')}`,
    });
    return rows;
  } finally {
    for (const c of cleanups) {
      try {
        await c();
      } catch (err) {
        process.stderr.write(`fanout bench cleanup: ${String(err)}\n`);
      }
    }
  }
}
