// The multihost lab's worker module: every job's id (its payload `ID` or `ID:MS`, MS = how long the job
// runs) is appended to a per-process file with the job handle and a timestamp, once when it starts (S) and
// once when it is done (D), before the result goes back, so the lab can count each job exactly.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const out = join(process.env.MH_OUT ?? '.', `jobs-${process.pid}.log`);

export default async function recordJob(payload, job) {
  const [id, ms] = payload.toString('utf8').split(':');
  const jobMs = Number(ms ?? '0');
  appendFileSync(out, `S ${id} ${job.handle} ${Date.now()}\n`);
  if (jobMs > 0) await new Promise((resolve) => setTimeout(resolve, jobMs));
  appendFileSync(out, `D ${id} ${job.handle} ${Date.now()}\n`);
  return id;
}
