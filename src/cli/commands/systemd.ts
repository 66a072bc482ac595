// `gmsup systemd [FILE] [--user]`: prints a systemd unit for the daemon of FILE (systemd-unit.ts).

import { realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configFileOf } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { systemdUnit } from '../systemd-unit.js';
import { loadConfig } from '../../config/load.js';
import { STATE_DIR_ENV } from '../../shared/state-dir.js';

const BIN = fileURLToPath(new URL('../../../bin/gmsup.js', import.meta.url));

export async function run(args: ParsedArgs<'systemd'>): Promise<number> {
  const file = configFileOf(args, args.positionals[0]);
  const config = await loadConfig(file); // an invalid file gets no unit (exit 2)
  const maxStopTimeoutMs = Math.max(0, ...config.programs.map((p) => p.spec.stopTimeoutMs));
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  const stateDir = process.env[STATE_DIR_ENV];
  if (stateDir) env[STATE_DIR_ENV] = stateDir;
  const me = userInfo();
  process.stdout.write(
    systemdUnit({
      configFile: config.file,
      nodePath: realpathSync(process.execPath),
      binPath: realpathSync(BIN),
      maxStopTimeoutMs,
      env,
      user: me.uid === 0 ? null : me.username,
      userUnit: args.values.user === true,
    }),
  );
  return 0;
}
