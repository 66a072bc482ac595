// Public client API of gmsup: submit jobs to Gearman job servers and ask them admin questions.
export { GearmanClient, type GearmanClientOptions } from './gearman-client.js';
export { rankServers, murmur3, type ServerSelection } from './server-selection.js';
export type { ServerHealth } from './server-slot.js';
export {
  DEFAULT_KEEPALIVE,
  keepaliveBoundMs,
  type KeepaliveOption,
  type KeepaliveSettings,
} from '../shared/tcp-keepalive.js';
export { JobFailedError, type JobStatus, type Priority, type SubmitOptions } from './job.js';
export {
  AdminClient,
  adminCommand,
  adminStatus,
  adminPriorityStatus,
  adminWorkers,
  adminValue,
  isListCommand,
  type AdminOptions,
} from './admin.js';
export type { FunctionStatus, FunctionPriorityStatus, WorkerLine } from '../protocol/admin-text.js';
export { backoffDelayMs, type BackoffPolicy } from '../shared/backoff.js';
