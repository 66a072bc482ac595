// What the multihost lab reads back: the workers' job files (every start and completion of every job id)
// and the submitter's JSON lines (progress, summary).

import type { ChildProcess } from 'node:child_process';

export interface JobEvent {
  kind: 'S' | 'D';
  id: string;
  handle: string;
  host: string;
  tMs: number;
}

/** Every job event, indexed by id. */
export class JobLog {
  readonly byId = new Map<string, JobEvent[]>();
  starts = 0;
  dones = 0;

  add(e: JobEvent): void {
    let list = this.byId.get(e.id);
    if (!list) this.byId.set(e.id, (list = []));
    list.push(e);
    if (e.kind === 'S') this.starts++;
    else this.dones++;
  }

  /** Ids in [first, first + count) with no D line anywhere. */
  missing(first: number, count: number): string[] {
    const out: string[] = [];
    for (let n = first; n < first + count; n++) {
      if (!(this.byId.get(String(n)) ?? []).some((e) => e.kind === 'D')) out.push(String(n));
    }
    return out;
  }

  /** D lines beyond the first per id, over [first, first + count). */
  duplicates(first: number, count: number): number {
    let extra = 0;
    for (let n = first; n < first + count; n++) {
      const done = (this.byId.get(String(n)) ?? []).filter((e) => e.kind === 'D').length;
      if (done > 1) extra += done - 1;
    }
    return extra;
  }
}

/** A submitter run: its progress and its summary. */
export class Submission {
  accepted = 0;
  readonly done: Promise<{ accepted: number; retries: number; failed: string[]; errors: object; ms: number }>;

  constructor(readonly child: ChildProcess) {
    let buffer = '';
    this.done = new Promise((resolveDone, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf('\n');
          if (!line.startsWith('{')) continue;
          const msg = JSON.parse(line) as { type: string; accepted: number };
          this.accepted = msg.accepted;
          if (msg.type === 'done') resolveDone(msg as never);
        }
      });
      child.once('exit', (code) => reject(new Error(`the submitter exited with ${code} before its summary`)));
    });
    this.done.catch(() => undefined);
  }
}
