// The systemd unit `gmsup systemd` prints. Pure: the paths, the config's largest stop_timeout and the
// environment in, unit text out. docs/deploy.md explains each choice; the short version is in comments.

import { SUPERVISOR_TIMINGS } from '../config/defaults.js';

export interface UnitInput {
  configFile: string;
  nodePath: string;
  binPath: string;
  /** The largest stop_timeout of the file's workers (ms). */
  maxStopTimeoutMs: number;
  /** PATH and GMSUP_STATE_DIR as the unit should see them. */
  env: Record<string, string>;
  /** For a system unit run by root: the account to run as (null: leave User= to the admin). */
  user: string | null;
  userUnit: boolean;
}

/** Stop budget: the drain (stop_timeout), then TERM -> KILL, plus the daemon's own slack and a margin. */
export function stopTimeoutSec(maxStopTimeoutMs: number): number {
  const t = SUPERVISOR_TIMINGS;
  return Math.ceil((maxStopTimeoutMs + t.drainSlackMs + t.termGraceMs + t.stopAllSlackMs) / 1000) + 5;
}

/** systemd quoting for one word of ExecStart= (spaces and quotes need double quotes). */
function word(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`;
}

export function systemdUnit(u: UnitInput): string {
  const gmsup = `${word(u.nodePath)} ${word(u.binPath)}`;
  const dir = u.configFile.slice(0, u.configFile.lastIndexOf('/')) || '/';
  const env = Object.entries(u.env).map(([k, v]) => `Environment=${word(`${k}=${v}`)}`);
  const ctl = `systemctl${u.userUnit ? ' --user' : ''}`;
  return `# gmsup daemon for ${u.configFile}, written by \`gmsup systemd\`.
# Save as ${u.userUnit ? '~/.config/systemd/user' : '/etc/systemd/system'}/gmsup-NAME.service, then:
#   ${ctl} daemon-reload && ${ctl} enable --now gmsup-NAME
[Unit]
Description=gmsup workers (${u.configFile})
Documentation=https://github.com/gmsup/gmsup
After=network-online.target
Wants=network-online.target

[Service]
# simple: the daemon runs in the foreground. (Type=notify would need sd_notify, a datagram on a Unix
# socket, which Node cannot send without a native module.)
Type=simple
WorkingDirectory=${word(dir)}
${[...env, u.user && !u.userUnit ? `User=${u.user}` : u.userUnit ? '' : '# User=gmsup'].filter(Boolean).join('\n')}
ExecStart=${gmsup} start ${word(u.configFile)}
# SIGHUP: re-read the file and apply the difference (as \`gmsup reload\`).
ExecReload=/bin/kill -HUP $MAINPID
# Drain: every worker finishes its jobs in flight (up to its stop_timeout), then the daemon exits.
ExecStop=${gmsup} stop ${word(u.configFile)}
# mixed: systemd signals only the daemon, which stops its workers itself in order (drain, then TERM/KILL
# of each process group); the SIGKILL at TimeoutStopSec still reaches every process of the unit.
# control-group would SIGTERM every worker at once, racing the drain; process could leave orphans.
KillMode=mixed
KillSignal=SIGTERM
# The largest stop_timeout (${Math.ceil(u.maxStopTimeoutMs / 1000)} s) + TERM grace + the daemon's slack + 5 s.
TimeoutStopSec=${stopTimeoutSec(u.maxStopTimeoutMs)}
Restart=on-failure
RestartSec=2
# Many workers and sockets (a fan-out keeps a connection per target host):
LimitNOFILE=65536
# The daemon writes every line (its own and the workers') to stdout: the journal keeps them
# (journalctl -u gmsup-NAME), and \`gmsup logs\` reads the files in the state directory.

[Install]
WantedBy=${u.userUnit ? 'default.target' : 'multi-user.target'}
`;
}
