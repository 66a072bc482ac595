// Encoding of Gearman packets (one buffer, or header and large arguments as separate chunks) and the split
// of a payload into its NUL-separated arguments. Pure: values in, bytes out.

import { typeName } from './packet-types.js';
import { HEADER_BYTES, INLINE_ARG_BYTES, MAGIC_REQ, MAGIC_RES, type Magic } from './packet.js';
import { ProtocolError } from './protocol-error.js';

export type Arg = Buffer | Uint8Array | string;

function argLength(arg: Arg): number {
  return typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
}

/** Encodes one packet. `args` are joined with single NULs; the last one is not terminated. */
export function encodePacket(magic: Magic, type: number, args: readonly Arg[] = []): Buffer {
  let size = args.length > 0 ? args.length - 1 : 0;
  for (const arg of args) size += argLength(arg);
  const out = Buffer.allocUnsafe(HEADER_BYTES + size);
  out.writeUInt32BE(magic === 'REQ' ? MAGIC_REQ : MAGIC_RES, 0);
  out.writeUInt32BE(type, 4);
  out.writeUInt32BE(size, 8);
  let pos = HEADER_BYTES;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (typeof arg === 'string') pos += out.write(arg, pos, 'utf8');
    else {
      out.set(arg, pos);
      pos += arg.length;
    }
    if (i < args.length - 1) out[pos++] = 0;
  }
  return out;
}

export const encodeReq = (type: number, ...args: Arg[]): Buffer => encodePacket('REQ', type, args);
export const encodeRes = (type: number, ...args: Arg[]): Buffer => encodePacket('RES', type, args);

/**
 * Encodes one packet as chunks to write in order: one buffer, or, when the last argument is a Buffer
 * larger than INLINE_ARG_BYTES, the header with the other arguments followed by that argument itself
 * (not copied: a payload of several GiB is never duplicated, and never exceeds a Buffer's size limit).
 */
export function encodePacketParts(magic: Magic, type: number, args: readonly Arg[]): Buffer[] {
  const last = args[args.length - 1];
  if (last === undefined || typeof last === 'string' || last.length <= INLINE_ARG_BYTES) {
    return [encodePacket(magic, type, args)];
  }
  const head = encodePacket(magic, type, [...args.slice(0, -1), '']);
  head.writeUInt32BE(head.length - HEADER_BYTES + last.length, 8);
  const tail = Buffer.isBuffer(last) ? last : Buffer.from(last.buffer, last.byteOffset, last.length);
  return [head, tail];
}

/** Splits a payload into exactly `count` arguments, strictly within the payload. */
export function splitArgs(payload: Buffer, count: number, type: number): Buffer[] | ProtocolError {
  if (count === 0) {
    if (payload.length === 0) return [];
    return new ProtocolError(
      'BAD_ARGUMENTS',
      `${typeName(type)} takes no arguments but carries ${payload.length} bytes`,
      typeName(type),
      false,
    );
  }
  const args: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < count - 1; i++) {
    const nul = payload.indexOf(0, start);
    if (nul < 0) {
      return new ProtocolError(
        'BAD_ARGUMENTS',
        `${typeName(type)} needs ${count} arguments, got ${i + 1}`,
        typeName(type),
        false,
      );
    }
    args.push(payload.subarray(start, nul));
    start = nul + 1;
  }
  args.push(payload.subarray(start));
  return args;
}
