// Fan-out reference: ONE Node process calling every fleet endpoint directly with the http_call
// module's own code (node:http keep-alive agent, one connection per host), no Gearman in between.
// usage: node --import tsx bench/lib/fanout-direct.ts TARGETS BASE_PORT GET|POST BODY_BYTES REPEAT CONCURRENCY ROUNDS
// prints {rounds: [...]}; later rounds run warm (JIT compiled, kept-alive connections).

import { httpCall } from '../../examples/fanout/http-call.js';
import { combinedHash, fleetUrls } from '../../examples/fanout/targets.js';

export interface DirectResult {
  ok: number;
  failed: number;
  wallMs: number;
  bytes: number;
  combinedHash: string;
}

export async function runDirect(
  targets: number,
  basePort: number,
  method: 'GET' | 'POST',
  bodyBytes: number,
  repeat: number,
  concurrency: number,
): Promise<DirectResult> {
  const urls = fleetUrls(targets, basePort);
  const body = method === 'POST' ? 'p'.repeat(bodyBytes) : undefined;
  const sums = new Array<string>(targets).fill('');
  let ok = 0;
  let failed = 0;
  let bytes = 0;
  let next = 0;
  const total = targets * repeat;
  const started = performance.now();
  // `concurrency` loops, each taking the next call: at most that many calls in flight.
  const lane = async () => {
    for (let k = next++; k < total; k = next++) {
      const i = k % targets;
      try {
        const r = await httpCall({ url: urls[i]!, method, body }); // i < targets = urls.length
        ok++;
        bytes += r.bytes;
        sums[i] = r.sha1;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return {
    ok,
    failed,
    wallMs: Math.round((performance.now() - started) * 10) / 10,
    bytes,
    combinedHash: combinedHash(sums),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [
    targets = '2000',
    basePort = '21000',
    method = 'GET',
    bodyBytes = '256',
    repeat = '1',
    concurrency = targets,
    rounds = '1',
  ] = process.argv.slice(2);
  const results: DirectResult[] = [];
  for (let i = 0; i < Number(rounds); i++) {
    results.push(
      await runDirect(
        Number(targets),
        Number(basePort),
        method === 'POST' ? 'POST' : 'GET',
        Number(bodyBytes),
        Number(repeat),
        Number(concurrency),
      ),
    );
  }
  process.stdout.write(`${JSON.stringify({ rounds: results })}\n`);
  process.exit(0);
}
