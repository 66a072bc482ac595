// Example worker module that reports progress: it counts the words of the payload one step at a time,
// sending WORK_STATUS (job.status) and WORK_DATA (job.data) so `gmsup submit` and clients can follow along.

import type { JobContext } from 'gmsup/worker';

/** Pause between steps so the progress is visible; a real worker would be doing work here. */
const STEP_DELAY_MS = 100;
const MAX_STEPS = 100;

export default async function progress(payload: Buffer, job: JobContext): Promise<string> {
  const words = payload
    .toString('utf8')
    .split(/\s+/)
    .filter((w) => w !== '')
    .slice(0, MAX_STEPS);
  const total = Math.max(1, words.length);
  for (let i = 0; i < words.length; i++) {
    if (job.signal.aborted) throw new Error('cancelled: the job timed out or the worker is stopping');
    job.data(`${i + 1}/${total} ${words[i]}\n`);
    job.status(i + 1, total); // the last step reports total/total: done
    await new Promise<void>((resolve) => setTimeout(resolve, STEP_DELAY_MS));
  }
  return JSON.stringify({ words: words.length });
}
