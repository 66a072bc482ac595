// Public surface of the embedded Gearman job server.
export { startJobServer, type JobServer, type JobServerOptions } from './server.js';
export { type JobStore, MemoryJobStore, type StoreStatus } from './job-store.js';
export { SERVER_VERSION } from '../shared/version.js';
