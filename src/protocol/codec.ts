// Gearman binary packet codec: the packet values (packet.ts), encoding (encode.ts) and the incremental
// decoder (decoder.ts), exported together for the rest of the code. Pure: bytes in, values out, no I/O.

export * from './packet.js';
export * from './encode.js';
export * from './decoder.js';
