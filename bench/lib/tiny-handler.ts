// The same echo job as bench/lib/tiny-handler.mjs, as a TypeScript module (compiled once by gmsup).
import type { JobContext } from '../../src/worker/job-context.js';

export default async function echo(payload: Buffer, _job: JobContext): Promise<Buffer> {
  return payload;
}
