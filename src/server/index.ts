// Public surface of the embedded Gearman job server.
export { startJobServer, type JobServer, type JobServerOptions } from './server.js';
export { type JobStore, MemoryJobStore, type StoreStatus } from './job-store.js';
export { SERVER_VERSION } from '../shared/version.js';
export type {
  ConnectionCounts,
  FunctionView,
  LocalConnection,
  LocalGateway,
  StoreStatusView,
} from './local-gateway.js';
export { type FunctionCounters, type Histogram, JOB_DURATION_BUCKETS_S, type ServerMetrics } from './metrics.js';
