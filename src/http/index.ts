// Public surface of the optional HTTP listener: gearmand-compatible job submission, /v1 JSON jobs,
// /metrics, /status and /healthz over a job server's local gateway.
export {
  DEFAULT_JOB_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  type HttpListener,
  type HttpListenerOptions,
  startHttpListener,
} from './http-server.js';
export { checkHttpExposure, HTTP_TOKEN_ENV, isLoopbackHost, resolveToken } from './auth.js';
export type { SnapshotProvider } from './own-endpoints.js';
