// The container example's worker module: returns the payload reversed (by characters).

import type { JobContext } from 'gmsup/worker';

export default async function reverse(payload: Buffer, _job: JobContext): Promise<string> {
  return [...payload.toString('utf8')].reverse().join('');
}
