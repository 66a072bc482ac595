// The dashboard's connection to the daemon: polls `status` once per refresh, follows the log stream,
// reconnects (bounded retry rate) when the daemon goes away and comes back. No rendering here.

import { ControlClient } from '../control/control-client.js';
import type { ControlMethods, LogLine } from '../control/protocol.js';
import type { Snapshot } from '../control/snapshot.js';
import { GmsupError } from '../shared/errors.js';

export interface LinkEvents {
  snapshot(snap: Snapshot): void;
  connection(connected: boolean, error: string | null): void;
  logs(lines: LogLine[], reset: boolean): void;
}

export class DaemonLink {
  private client: ControlClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private busy = false;
  private connected = false;
  private lastError: string | null = null;

  constructor(
    readonly socketPath: string,
    private readonly events: LinkEvents,
    private readonly refreshMs = 1000,
    private readonly logTailLines = 200,
  ) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.refreshMs);
  }

  /** One poll; a poll still in flight is not doubled up (a slow daemon gets at most one pending call). */
  async tick(): Promise<void> {
    if (this.closed || this.busy) return;
    this.busy = true;
    try {
      if (!this.client) await this.connect();
      if (this.client) {
        const snap = await this.client.call('status', {}, Math.max(2000, this.refreshMs * 3));
        if (!this.closed) this.events.snapshot(snap);
      }
    } catch (err) {
      this.drop(err);
    } finally {
      this.busy = false;
    }
  }

  private async connect(): Promise<void> {
    const client = await ControlClient.connect(this.socketPath, 1500);
    if (this.closed) {
      client.close();
      return;
    }
    this.client = client;
    client.onClosed((err) => {
      if (this.client === client) this.drop(err);
    });
    this.setConnected(true, null);
    const pending: LogLine[] = [];
    let tailDone = false;
    client
      .followLogs({ lines: this.logTailLines }, (line) => {
        if (tailDone) this.events.logs([line], false);
        else pending.push(line);
      })
      .then((tail) => {
        tailDone = true;
        if (this.client === client) this.events.logs([...tail, ...pending], true);
      })
      .catch(() => {
        // A daemon without log streaming still gives a useful dashboard.
      });
  }

  private drop(err: unknown): void {
    const c = this.client;
    this.client = null;
    c?.close();
    const msg = err instanceof Error ? err.message : String(err);
    this.setConnected(false, msg);
  }

  private setConnected(connected: boolean, error: string | null): void {
    if (this.connected === connected && this.lastError === error) return;
    this.connected = connected;
    this.lastError = error;
    this.events.connection(connected, error);
  }

  async call<M extends 'restart' | 'scale' | 'stop-worker' | 'start-worker' | 'stop'>(
    method: M,
    params: ControlMethods[M]['params'],
  ): Promise<ControlMethods[M]['result']> {
    if (!this.client) throw new GmsupError('NO_DAEMON', 'not connected to the daemon');
    return this.client.call(method, params, 30_000);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client?.close();
    this.client = null;
  }
}
