// Example worker module: returns the payload reversed (by characters, so UTF-8 text stays valid).
// A module's default export is `async (payload: Buffer, job) => result`; see the JobContext type of gmsup/worker.

import type { JobContext } from 'gmsup/worker';

export default async function reverse(payload: Buffer, _job: JobContext): Promise<string> {
  return [...payload.toString('utf8')].reverse().join('');
}
