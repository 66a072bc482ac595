// The normalised, fully defaulted config that everything after validation uses. Names carry units.
// A `ProgramConfig` holds the WorkerSpec its processes run (a change of it restarts them) and the
// settings only the daemon uses (a change of those applies in place).

import type { StoreSpec } from '../shared/store-url.js';
import type { KeepaliveSettings } from '../shared/tcp-keepalive.js';
import type { WorkerSpec } from '../worker/spec.js';

export interface RestartPolicy {
  /** Up this long after spawn counts as a successful start (STARTING -> RUNNING). */
  startSecsMs: number;
  /** Failed starts in a row before FATAL. */
  startRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A FATAL instance gets a fresh start sequence after this long; null = never (the default). */
  fatalRetryMs: number | null;
}

/** A worker's `autoscale:` block: the daemon sets its instance count from its queue (docs/autoscale.md). */
export interface AutoscaleConfig {
  minInstances: number;
  maxInstances: number;
  /** Scale up when a new job would wait longer than this. */
  targetWaitMs: number;
  /** Scale down only after instances stayed idle this long (and no change happened in that time). */
  cooldownMs: number;
  /** Scale-ups wait while the 1-minute load average exceeds CPU cores x this; null: no load guard. */
  maxLoadPerCore: number | null;
  /** Scale-ups wait while available memory is below this; null: no memory guard. */
  minFreeMemoryBytes: number | null;
}

export interface ProgramConfig {
  /** The key under `workers:` (the same as `spec.name`). */
  name: string;
  /** What every process of this program runs: any difference means a rolling restart. */
  spec: WorkerSpec;
  /** Resolved instance count (per_core x cores, or instances; autoscale.min when autoscaled: the start count). */
  instances: number;
  /** Set when the count follows the queue instead of a fixed number. */
  autoscale: AutoscaleConfig | null;
  /** The `per_core` value when the count came from it, for display. */
  perCore: number | null;
  maxMemoryBytes: number | null;
  maxLifetimeMs: number | null;
  restart: RestartPolicy;
  /** Where the key sits in the file, for messages. */
  source: { file: string; line: number; col: number };
}

/** The `logs:` block (docs/logs.md): rotation, compression, format and the write buffer of every log file. */
export interface LogSettings {
  /** Rotate a file before it passes this size; 0 = never (an external logrotate rotates). */
  maxBytes: number;
  /** Rotated files kept per log file. */
  keep: number;
  /** Gzip rotated files in the background. */
  compress: boolean;
  format: 'text' | 'json';
  /** Per file: lines waiting for the disk beyond this are dropped (counted, and marked in the file). */
  bufferBytes: number;
}

export interface EmbeddedServerConfig {
  host: string;
  port: number;
  /** `max_packet_size`: largest packet the embedded server accepts; absent = its default (128 MiB). */
  maxPacketBytes?: number;
  /** Where background jobs live; default sqlite in the state directory, `store: memory` opts out. */
  store: StoreSpec;
  /** TCP keepalive on its accepted sockets: absent = the server's defaults, null = off. */
  keepalive?: KeepaliveSettings | null;
  /** The optional HTTP listener next to it (`http:` and friends); absent when not configured. */
  http?: HttpListenConfig;
}

export interface HttpListenConfig {
  host: string;
  port: number;
  /** `http_token`; null = none given in the file (GMSUP_HTTP_TOKEN may still give one at start). */
  token: string | null;
  /** `http_timeout`: how long a foreground request waits; null = the listener's default (60 s). */
  timeoutMs: number | null;
  /** `http_max_body`; null = the listener's default (16 MiB). */
  maxBodyBytes: number | null;
}

export interface Config {
  /** Absolute path of the config file. */
  file: string;
  /** Directory holding the control socket, pid file and logs. */
  stateDir: string;
  /**
   * Job servers workers use by default (`host:port`). Without a `servers:` key this is the embedded
   * server's connect address; if `server.listen` has port 0 that entry reads `host:0` until
   * `bindEmbeddedServer()` (config/embedded.ts) substitutes the bound port.
   */
  servers: string[];
  /** The embedded job server as configured (port 0 = any free port), or null for none. */
  server: EmbeddedServerConfig | null;
  programs: ProgramConfig[];
  logs: LogSettings;
  /** Not errors, but worth saying (`gmsup check`, start and reload print them): too many processes. */
  warnings?: string[];
}
