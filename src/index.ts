// gmsup's package entry: the client library (submit jobs, admin queries) and the worker API.
export * from './client/index.js';
export {
  runWorker,
  type WorkerOptions,
  type WorkerResult,
  type WorkerHandle,
  type JobContext,
  type JobHandler,
  type WorkerSpec,
  type StopReason,
} from './worker/index.js';
export { GmsupError, ErrorCodes, type ErrorCode } from './shared/errors.js';
