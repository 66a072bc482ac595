// Public surface of the pure protocol layer.
export * from './packet-types.js';
export * from './protocol-error.js';
export * from './codec.js';
export * from './admin-text.js';
