// The multihost lab's client host: submits background jobs (payload = the job id) to every server with
// GearmanClient's selection, retrying a submission until a server accepted it, so every id is queued at
// least once. Prints JSON lines: progress while it runs, a summary at the end.
//   node --import tsx scripts/multihost/submitter.ts --servers A,B --count N [--rate JOBS_PER_S]

import { parseArgs } from 'node:util';
import { GearmanClient } from '../../src/client/index.js';
import { parseKeepaliveText } from '../../src/config/keepalive.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string' },
    count: { type: 'string' },
    first: { type: 'string', default: '0' },
    rate: { type: 'string', default: '0' },
    window: { type: 'string', default: '200' },
    fn: { type: 'string', default: 'mh_job' },
    /** How long each job runs in the worker (sent in the payload as ID:MS). */
    'job-ms': { type: 'string', default: '0' },
    /** Every Nth id is submitted with its id as unique (hashed to its server), the rest round-robin. */
    'unique-every': { type: 'string', default: '2' },
    keepalive: { type: 'string', default: 'idle=2s,interval=1s,count=2' },
  },
});
const servers = (values.servers ?? '').split(',').filter(Boolean);
const count = Number(values.count);
const first = Number(values.first);
const ratePerS = Number(values.rate);
const windowSize = Number(values.window);
const uniqueEvery = Number(values['unique-every']);
const jobMs = Number(values['job-ms']);
if (servers.length === 0 || !(count > 0)) throw new Error('--servers and --count are required');

/** One submission is given up after this long (then retried); the whole id after RETRY_DEADLINE_MS. */
const SUBMIT_TIMEOUT_MS = 3000;
const RETRY_DEADLINE_MS = 60_000;
const RETRY_PAUSE_MS = 100;

const client = new GearmanClient({
  servers,
  connectTimeoutMs: 1000,
  keepalive: parseKeepaliveText(values.keepalive ?? 'off') ?? false,
});
const startMs = Date.now();
let accepted = 0;
let retries = 0;
const failed: string[] = [];
const errors = new Map<string, number>();
const emit = (o: object) => process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);

async function submitOne(n: number): Promise<void> {
  const id = String(n);
  const unique = n % uniqueEvery === 0 ? `mh-${id}` : undefined;
  const deadline = Date.now() + RETRY_DEADLINE_MS;
  for (;;) {
    try {
      const payload = jobMs > 0 ? `${id}:${jobMs}` : id;
      await client.submitBackground(values.fn!, payload, { unique, timeoutMs: SUBMIT_TIMEOUT_MS });
      accepted++;
      if (accepted % 500 === 0) emit({ type: 'progress', accepted });
      return;
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/\d+/g, 'N').slice(0, 80) : String(err);
      errors.set(why, (errors.get(why) ?? 0) + 1);
      if (Date.now() > deadline) {
        failed.push(id);
        return;
      }
      retries++;
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }
}

let next = first;
const end = first + count;
async function lane(): Promise<void> {
  while (next < end) {
    const n = next++;
    if (ratePerS > 0) {
      const dueMs = startMs + ((n - first) * 1000) / ratePerS;
      const waitMs = dueMs - Date.now();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    }
    await submitOne(n);
  }
}
await Promise.all(Array.from({ length: windowSize }, lane));
emit({ type: 'done', accepted, retries, failed, errors: Object.fromEntries(errors), ms: Date.now() - startMs });
await client.close();
