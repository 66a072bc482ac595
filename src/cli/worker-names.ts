// Worker names given on the command line, checked against the running daemon (`all` = every worker),
// so a typo fails before anything is done to the others.

import type { ControlClient } from '../control/control-client.js';
import { GmsupError } from '../shared/errors.js';

export async function workerNames(c: ControlClient, requested: readonly string[]): Promise<string[]> {
  const known = (await c.call('status', {})).programs.map((p) => p.name);
  if (requested.includes('all')) return known;
  const unknown = requested.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new GmsupError(
      'BAD_NAME',
      `no worker named ${unknown.map((n) => JSON.stringify(n)).join(', ')} (known: ${known.join(', ') || 'none'})`,
    );
  return [...new Set(requested)];
}
