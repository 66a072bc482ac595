// The Snapshot: everything `gmsup status` and the dashboard show, as plain JSON read over the control
// socket. The UI reads only this; it never touches the supervisor's runtime objects.

export type InstanceState = 'STOPPED' | 'STARTING' | 'RUNNING' | 'BACKOFF' | 'STOPPING' | 'EXITED' | 'FATAL';

export interface InstanceInfo {
  /** Worker (program) name. */
  name: string;
  function: string;
  index: number;
  pid: number | null;
  state: InstanceState;
  uptimeMs: number | null;
  restarts: number;
  cpuPercent: number | null;
  rssBytes: number | null;
  jobsDone: number;
  jobsFailed: number;
  /** Age of the oldest job in flight, null when idle. */
  currentJobAgeMs: number | null;
  /** Why it last exited ("exit 1", "signal SIGKILL", "max_jobs reached"...), null if never. */
  lastExit: string | null;
  /** For FATAL (and BACKOFF): why. */
  reason: string | null;
  /** Job servers on which this instance is verified registered (from each server's `workers`). */
  registeredOn: number;
  serverCount: number;
  /** True while this instance is a recycled one being drained. */
  retiring: boolean;
}

/** One evaluation of the autoscaler: what it did (or held) and why, e.g. "queue wait 7.2 s > 2 s: +2". */
export interface ScaleEvent {
  atMs: number;
  action: 'up' | 'down' | 'hold';
  from: number;
  to: number;
  reason: string;
}

/** A worker whose count follows its queue (`autoscale:`), as the autoscaler sees it. Plain data. */
export interface AutoscaleInfo {
  min: number;
  max: number;
  targetWaitMs: number;
  cooldownMs: number;
  /** Scale-ups wait while the 1-minute load average is above CPU cores x this; null: no load guard. */
  maxLoadPerCore: number | null;
  /** Scale-ups wait while available memory is below this; null: off. */
  minFreeMemoryBytes: number | null;
  /** `gmsup scale` pinned the count: no autoscaling until `gmsup scale NAME auto` or an edit of autoscale. */
  pinned: boolean;
  /** The latest sample's figures (null before the first sample, or when not measurable yet). */
  queued: number | null;
  completedPerSec: number | null;
  /** Mean job time from the workers' reports. */
  jobMs: number | null;
  /** How long a job queued now would wait (queued x job time / slots). */
  estimatedWaitMs: number | null;
  /** Set while the machine guard holds back a scale-up the queue asks for (e.g. "load 9.1 > 4 (2 cores x 2)"). */
  guard: string | null;
  /** The latest evaluation, holds included. */
  lastEvaluation: ScaleEvent | null;
  /** The latest change it made to the count (the "last decision" status shows). */
  lastChange: ScaleEvent | null;
  /** Changes it made since the daemon started. */
  changes: number;
}

export interface ProgramInfo {
  name: string;
  function: string;
  kind: 'module' | 'command' | 'process';
  /** Instance count in force. */
  desired: number;
  /** Instance count the config file says (an autoscaled worker's min, its start count). */
  configured: number;
  /** True when `gmsup scale` overrides the file (for an autoscaled worker: pins its count). */
  scaled: boolean;
  stopped: boolean;
  /** Null for a fixed count. */
  autoscale: AutoscaleInfo | null;
  /**
   * Errors the daemon met acting on this worker since it started (a failed replacement, removal or
   * rolling restart, a malformed IPC message); each one is in the log with the instance it concerns.
   */
  errors: number;
}

export interface QueueInfo {
  function: string;
  /** Queued, not running. */
  queued: number;
  running: number;
  availableWorkers: number;
}

export interface ServerInfo {
  address: string;
  embedded: boolean;
  reachable: boolean;
  error: string | null;
  functions: QueueInfo[];
  polledAtMs: number | null;
}

export type AlarmKind = 'stalled' | 'idle-workers' | 'no-workers';

export interface Alarm {
  server: string;
  function: string;
  kind: AlarmKind;
  message: string;
}

export interface Snapshot {
  takenAtMs: number;
  daemon: {
    pid: number;
    version: string;
    configFile: string;
    startedAtMs: number;
    rssBytes: number | null;
    cpuPercent: number | null;
    /** Set while the file on disk is invalid and the previous config is still in force. */
    configError: string | null;
    /** All errors counted since start: the workers' (removed ones too) and the daemon's own (a failed reload). */
    errors: number;
  };
  programs: ProgramInfo[];
  instances: InstanceInfo[];
  servers: ServerInfo[];
  alarms: Alarm[];
  /** Cumulative completed jobs per function since the daemon started (the UI derives rates). */
  jobsDoneByFunction: Record<string, number>;
}
