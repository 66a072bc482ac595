// One pre-started worker process per module program that has not been sent its init yet: a crashed or
// recycled instance takes it and skips Node's start-up (the restart-latency goal). Never a fork loop:
// a spare that dies before use is replaced at most once per SUPERVISOR_TIMINGS.spareRetryMs.

import { SUPERVISOR_TIMINGS } from '../config/defaults.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { ChildHandle, Spawner } from './spawner.js';

export class WarmSpare {
  private spare: ChildHandle | null = null;
  private timer: TimerHandle | null = null;
  private closed = false;
  /** A spare that dies unused is replaced only after SUPERVISOR_TIMINGS.spareRetryMs (no spawn loop). */
  private readonly onSpareExit = () => {
    this.spare = null;
    this.schedule(SUPERVISOR_TIMINGS.spareRetryMs);
  };

  constructor(
    private readonly spawner: Spawner,
    private readonly clock: Clock,
    private cwd: string,
    private readonly programName: string,
  ) {}

  /** Hands the spare over (or null) and starts preparing the next one. */
  take(): ChildHandle | null {
    const s = this.spare;
    this.spare = null;
    this.schedule(0);
    if (!s?.alive) return null;
    s.off('exit', this.onSpareExit);
    s.off('error', this.onSpareExit);
    return s;
  }

  /** Ensures a spare exists after `delayMs`. Hand-overs are paced by the instances' own backoff. */
  schedule(delayMs = 0): void {
    if (this.closed || this.spare || this.timer) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.spawn();
    }, delayMs);
  }

  /** A new cwd (config change) makes the current spare unusable. */
  setCwd(cwd: string): void {
    if (cwd === this.cwd) return;
    this.cwd = cwd;
    this.discard();
    this.schedule(0);
  }

  close(): void {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.discard();
  }

  private discard(): void {
    const s = this.spare;
    this.spare = null;
    if (s) {
      s.off('exit', this.onSpareExit);
      s.off('error', this.onSpareExit);
      // It has no job and no server connection yet; KILL (a worker not yet initialised may ignore TERM).
      s.signalGroup('SIGKILL');
    }
  }

  private spawn(): void {
    if (this.closed || this.spare) return;
    const s = this.spawner.spawn({ cwd: this.cwd, env: { GMSUP_PROGRAM: this.programName, GMSUP_SPARE: '1' } });
    s.once('exit', this.onSpareExit);
    s.once('error', this.onSpareExit);
    this.spare = s;
  }
}
