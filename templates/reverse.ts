// A gmsup worker module, written by `gmsup init`: each job's payload comes in as a Buffer and what the
// function returns is the job's result (a string or Buffer as is, anything else as JSON). Throw to fail
// the job. `job` also has status(n, d), data(chunk), warning(text) and an AbortSignal (job.signal) that
// fires on the job's timeout or when the worker stops. TypeScript needs no build step: gmsup compiles it.

import type { JobContext } from 'gmsup/worker';

export default async function reverse(payload: Buffer, _job: JobContext): Promise<string> {
  return [...payload.toString('utf8')].reverse().join('');
}
