// gmsup's package entry: the client library (the worker API `runWorker` joins once src/worker/index.ts exists).
export * from './client/index.js';
export { GmsupError, ErrorCodes, type ErrorCode } from './shared/errors.js';
