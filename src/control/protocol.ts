// The control protocol between the CLI/TUI and the daemon: newline-delimited JSON over a Unix socket
// (mode 0600). One request per line, one response per line, matched by id; `logs -f` streams events.

import type { SerializedError } from '../shared/errors.js';
import type { Snapshot } from './snapshot.js';

export interface ReloadPlanEntry {
  worker: string;
  /** `update`: daemon-side settings (max_memory, restart.*, ...) change in place, nothing restarts. */
  action: 'start' | 'stop' | 'restart' | 'scale' | 'update' | 'unchanged';
  detail: string;
}

export interface LogLine {
  atMs: number;
  /** `name/index/pid`, or `daemon`. */
  source: string;
  worker: string | null;
  stream: 'stdout' | 'stderr' | 'daemon';
  text: string;
}

export interface ControlMethods {
  status: { params: Record<string, never>; result: Snapshot };
  stop: { params: Record<string, never>; result: { stopping: true } };
  reload: { params: Record<string, never>; result: { plan: ReloadPlanEntry[] } };
  /** What a reload would do with the file as it is now (or with `file`'s contents), without doing it. */
  plan: { params: { file?: string }; result: { plan: ReloadPlanEntry[] } };
  restart: { params: { name: string; index?: number }; result: { restarted: number } };
  /**
   * A runtime count; on an autoscaled worker it pins the count, and `instances: 'auto'` resumes
   * autoscaling (`autoscale` in the result says which happened).
   */
  scale: {
    params: { name: string; instances: number | 'auto' };
    result: { from: number; to: number; autoscale?: 'pinned' | 'resumed' };
  };
  /** Stop (or start again) every instance of a worker; a runtime switch like scale. */
  'stop-worker': { params: { name: string }; result: { stopped: number } };
  'start-worker': { params: { name: string }; result: { started: number } };
  logs: { params: { name?: string; lines?: number; follow?: boolean }; result: { lines: LogLine[] } };
}

export type ControlMethod = keyof ControlMethods;

export interface ControlRequest<M extends ControlMethod = ControlMethod> {
  id: number;
  method: M;
  params: ControlMethods[M]['params'];
}

export type ControlResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SerializedError }
  /** Streamed after a `logs` request with follow: true. */
  | { id: number; event: 'log'; line: LogLine };
