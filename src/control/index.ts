// Public surface for talking to a running gmsup daemon (`gmsup/control`): find it from its workers file,
// call it over its control socket, and the Snapshot types `gmsup status --json` prints.
export { ControlClient } from './control-client.js';
export { connectDaemon, withDaemon } from './connect.js';
export { formatLogLine, parseLogLine, type LogFormat } from './log-format.js';
export type { ControlMethod, ControlMethods, LogLine, ReloadPlanEntry, WorkerDescription } from './protocol.js';
export type * from './snapshot.js';
export { controlSocketPath, readDaemonPid, resolveConfigFile, stateDirFor } from '../shared/state-dir.js';
