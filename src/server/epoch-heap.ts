// Min-heap of SUBMIT_JOB_EPOCH jobs by due time (then handle order), so the server can arm one timer
// for the earliest. Removed jobs are skipped lazily by the caller (their state is no longer WAITING).

import type { Job } from './model.js';

function before(a: Job, b: Job): boolean {
  return a.notBeforeMs < b.notBeforeMs || (a.notBeforeMs === b.notBeforeMs && a.id < b.id);
}

export class EpochHeap {
  private readonly items: Job[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Job | undefined {
    return this.items[0];
  }

  push(job: Job): void {
    const a = this.items;
    a.push(job);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(job, a[parent]!)) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = job;
  }

  pop(): Job | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      // Sift `last` down from the root: move the smaller child up until `last` fits.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = l < a.length && before(a[l]!, last) ? l : -1;
        if (r < a.length && before(a[r]!, m < 0 ? last : a[l]!)) m = r;
        if (m < 0) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}
