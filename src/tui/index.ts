// `runDashboard`: wires the daemon link (polling, logs), the history, the key reducer, the view-model
// and the blessed screen. Used by `gmsup tui` and `gmsup start --tui` (embedded: q stops, d detaches).

import { ControlClient } from '../control/control-client.js';
import { controlSocketPath, resolveConfigFile, stateDirFor } from '../shared/state-dir.js';
import type { LogLine } from '../control/protocol.js';
import type { Snapshot } from '../control/snapshot.js';
import { GmsupError } from '../shared/errors.js';
import { DashboardScreen } from './dashboard.js';
import { History } from './history.js';
import { initialUiState, reduceKey, type Action, type KeyEvent, type UiState } from './keys.js';
import { computeLayout } from './layout.js';
import { DaemonLink } from './link.js';
import { buildView, type Connection, type StatusMessage } from './view-model.js';

export interface DashboardOptions {
  configFile: string;
  /** Set by `gmsup start --tui`: q asks to stop the daemon (this is called after the `stop` call). */
  embeddedStop?: () => Promise<void>;
  refreshMs?: number;
}

const MAX_LOG_LINES = 1000;
/** Log bursts are drawn at most this often. */
const LOG_REDRAW_MS = 250;

/** Throws NO_TTY unless stdin and stdout are terminals; `start --tui` calls it before starting anything. */
export function requireTerminal(): void {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new GmsupError(
      'NO_TTY',
      'the dashboard needs a terminal (stdin and stdout must be a TTY); use `gmsup status` for plain text',
    );
  }
}

export async function runDashboard(opts: DashboardOptions): Promise<number> {
  requireTerminal();
  const configFile = resolveConfigFile(opts.configFile);
  const socketPath = controlSocketPath(stateDirFor(configFile));
  const embedded = opts.embeddedStop !== undefined;
  // Attach to a running daemon: say so plainly when there is none (start --tui gives it a moment).
  await probeDaemon(socketPath, embedded ? 10_000 : 0);

  let snapshot: Snapshot | null = null;
  const connection: Connection = { connected: false, error: null, socketPath };
  const history = new History();
  let ui: UiState = initialUiState(embedded);
  let logLines: LogLine[] = [];
  let message: StatusMessage | null = null;
  let rows: ReturnType<typeof buildView>['rows'] = [];
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let ending = false;
  let logTimer: NodeJS.Timeout | null = null;

  const screen = new DashboardScreen(
    (key) => onKey(key),
    () => refresh(),
  );

  function refresh(): void {
    if (ending) return;
    const { width, height } = screen.size;
    const layout = computeLayout(width, height, ui.logVisible);
    const view = buildView({
      snapshot,
      connection,
      history,
      ui,
      logLines,
      message,
      layout,
      nowMs: snapshot?.takenAtMs ?? Date.now(),
    });
    rows = view.rows;
    screen.draw(layout, view);
  }

  const link = new DaemonLink(
    socketPath,
    {
      snapshot(snap) {
        snapshot = snap;
        history.push(snap);
        refresh();
      },
      connection(connected, error) {
        connection.connected = connected;
        connection.error = error;
        refresh();
      },
      logs(lines, reset) {
        logLines = reset ? lines.slice(-MAX_LOG_LINES) : logLines.concat(lines);
        if (logLines.length > MAX_LOG_LINES * 1.5) logLines = logLines.slice(-MAX_LOG_LINES);
        if (!logTimer)
          logTimer = setTimeout(() => {
            logTimer = null;
            refresh();
          }, LOG_REDRAW_MS);
      },
    },
    opts.refreshMs ?? 1000,
  );

  function say(text: string, level: StatusMessage['level']): void {
    message = { text, level };
    refresh();
  }

  function onKey(key: KeyEvent): void {
    if (ending) return;
    const r = reduceKey(ui, key, rows, snapshot?.programs ?? []);
    ui = r.state;
    void perform(r.action);
    refresh();
  }

  async function perform(action: Action): Promise<void> {
    switch (action.kind) {
      case 'none':
        return;
      case 'message':
        return say(action.text, 'info');
      case 'quit':
        return end(0);
      case 'detach':
        return end(
          0,
          snapshot
            ? `gmsup: detached; the daemon (pid ${snapshot.daemon.pid}) keeps running. ` +
                `\`gmsup tui ${configFile}\` reattaches, \`gmsup stop ${configFile}\` stops it.\n`
            : undefined,
        );
      case 'stop-daemon': {
        say('stopping the daemon…', 'info');
        try {
          await link.call('stop', {});
          await opts.embeddedStop?.();
          return end(0, 'gmsup: daemon stopped.\n');
        } catch (err) {
          return say(`stop failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
        }
      }
      case 'control': {
        say(`${action.label}…`, 'info');
        try {
          const result = await (link.call as (m: string, p: unknown) => Promise<unknown>)(action.method, action.params);
          say(`${action.label}: ok ${describe(result)}`, 'ok');
          void link.tick();
        } catch (err) {
          say(`${action.label} failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
        }
      }
    }
  }

  function end(code: number, farewell?: string): void {
    if (ending) return;
    ending = true;
    if (logTimer) clearTimeout(logTimer);
    link.close();
    screen.destroy();
    if (farewell) process.stdout.write(farewell);
    finish(code);
  }

  if (!embedded) {
    // Attached mode: a closed terminal (SIGHUP) or SIGTERM just ends the dashboard. Embedded, the daemon
    // in this process owns the signals (SIGHUP = reload) and its exit ends the dashboard anyway.
    const onSignal = () => end(0);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
    void done.then(() => {
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    });
  }
  refresh();
  link.start();
  return done;
}

async function probeDaemon(socketPath: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      (await ControlClient.connect(socketPath, 1500)).close();
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function describe(result: unknown): string {
  if (!result || typeof result !== 'object') return '';
  return `(${Object.entries(result as Record<string, unknown>)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ')})`;
}
