// The protocol reference's §5 conformance checks as one suite, run against gmsup's embedded server and
// a real gearmand 1.1.20 (same bytes, except the documented gearmand bugs, where each side is pinned).

import { describe, test } from 'node:test';
import { skipUnless } from '../helpers/external.js';
import { failureChecks } from './checks-failure.js';
import { framingChecks } from './checks-framing.js';
import { jobChecks } from './checks-jobs.js';
import { resultChecks } from './checks-results.js';
import { textChecks } from './checks-text.js';
import { wakeupChecks } from './checks-wakeup.js';
import { startTarget, type Check, type TargetKind } from './harness.js';

const checks: Check[] = [
  ...framingChecks,
  ...jobChecks,
  ...resultChecks,
  ...failureChecks,
  ...wakeupChecks,
  ...textChecks,
];

for (const kind of ['gmsup', 'gearmand'] as TargetKind[]) {
  describe(`conformance: ${kind}`, {
    skip: kind === 'gearmand' ? skipUnless('gearmand') : false,
    concurrency: 4,
  }, () => {
    for (const check of checks) {
      test(`${check.id}. ${check.title}`, async (t) => {
        const ctx = await startTarget(kind, t, check.options);
        await check.run(ctx);
      });
    }
  });
}
