// One worker's resolved settings as `gmsup describe` shows them: every key with the names and units of
// the workers file, defaults filled in, in the order docs/config.md lists them. Pure.

import type { ProgramConfig } from './types.js';
import { formatDurationSetting, formatSizeSetting } from './units.js';

const ms = (v: number | null) => (v === null ? 'none' : formatDurationSetting(v));
const bytes = (v: number | null) => (v === null ? 'none' : formatSizeSetting(v));

export function programSettings(p: ProgramConfig): Array<[string, string]> {
  const s = p.spec;
  const rows: Array<[string, string]> = [['function', s.function]];
  if (s.kind === 'module') rows.push(['module', s.modulePath ?? '']);
  else rows.push([s.kind, s.shell ? (s.command?.[0] ?? '') : JSON.stringify(s.command ?? [])]);
  if (s.kind !== 'module') rows.push(['shell', String(s.shell ?? false)]);
  rows.push(['instances', p.perCore !== null ? `${p.instances} (per_core ${p.perCore})` : String(p.instances)]);
  if (s.kind !== 'process') {
    rows.push(['concurrency', String(s.concurrency)], ['timeout', ms(s.timeoutMs)]);
    rows.push(['exceptions', s.exceptions === undefined ? 'auto' : String(s.exceptions)]);
    rows.push(['max_jobs', s.maxJobs === null ? 'none' : String(s.maxJobs)]);
  }
  rows.push(
    ['max_memory', bytes(p.maxMemoryBytes)],
    ['max_lifetime', ms(p.maxLifetimeMs)],
    ['stop_timeout', ms(s.stopTimeoutMs)],
    [
      'restart',
      `initial_backoff ${ms(p.restart.initialBackoffMs)}, max_backoff ${ms(p.restart.maxBackoffMs)}, ` +
        `retries ${p.restart.startRetries}, start_seconds ${ms(p.restart.startSecsMs)}, ` +
        `fatal_retry ${p.restart.fatalRetryMs === null ? 'off' : ms(p.restart.fatalRetryMs)}`,
    ],
    ['cwd', s.cwd],
    ['servers', s.servers.join(', ')],
  );
  const env = Object.entries(s.env);
  rows.push(['env', env.length === 0 ? '{}' : env.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')]);
  return rows;
}
