// Response packets the server sends on its hot paths, written straight into one buffer (no per-field
// strings), and the job handle codec `<prefix>:<n>`. Pure byte work.

import { HEADER_BYTES } from '../protocol/codec.js';

const MAGIC_RES = 0x00524553;
/** Payloads up to this size are copied next to their header; larger ones go out as a second chunk. */
const INLINE_PAYLOAD_BYTES = 4096;

export class HandleCodec {
  /** `<prefix>:` as bytes. */
  readonly head: Buffer;

  constructor(prefix: string) {
    this.head = Buffer.from(`${prefix}:`, 'latin1');
  }

  format(id: number): string {
    return `${this.head.toString('latin1')}${id}`;
  }

  byteLength(id: number): number {
    return this.head.length + digitCount(id);
  }

  /** Writes the handle of `id` at `pos`; returns the position after it. */
  write(buf: Buffer, pos: number, id: number): number {
    this.head.copy(buf, pos);
    return writeDigits(buf, pos + this.head.length, id);
  }

  /** Handle number named by `bytes`, or 0 when they are not a handle this server could have issued. */
  parse(bytes: Buffer): number {
    const head = this.head;
    const n = bytes.length - head.length;
    if (n < 1 || n > 15) return 0;
    for (let i = 0; i < head.length; i++) if (bytes[i] !== head[i]) return 0;
    const first = bytes[head.length];
    if (first === 0x30) return 0; // no leading zeros: "H:x:01" is not "H:x:1"
    let id = 0;
    for (let i = head.length; i < bytes.length; i++) {
      const d = bytes[i]! - 0x30;
      if (d < 0 || d > 9) return 0;
      id = id * 10 + d;
    }
    return id;
  }
}

function digitCount(n: number): number {
  let count = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    count++;
  }
  return count;
}

function writeDigits(buf: Buffer, pos: number, n: number): number {
  const len = digitCount(n);
  for (let i = pos + len - 1; i >= pos; i--) {
    buf[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return pos + len;
}

function header(size: number, type: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + size);
  buf.writeUInt32BE(MAGIC_RES, 0);
  buf.writeUInt32BE(type, 4);
  buf.writeUInt32BE(size, 8);
  return buf;
}

/** A packet whose only field is the handle (JOB_CREATED, WORK_FAIL). */
export function encodeHandleOnly(codec: HandleCodec, type: number, id: number): Buffer {
  const buf = header(codec.byteLength(id), type);
  codec.write(buf, HEADER_BYTES, id);
  return buf;
}

/**
 * A packet of the job handle, then `fields` (each NUL-terminated), then opaque `data`. Returns one
 * buffer, or [head, data] for large data so the payload is not copied.
 */
export function encodeHandleFields(
  codec: HandleCodec,
  type: number,
  id: number,
  fields: readonly Buffer[],
  data: Buffer,
): Buffer | [Buffer, Buffer] {
  let fieldBytes = 0;
  for (const f of fields) fieldBytes += f.length + 1;
  const headLen = codec.byteLength(id) + 1 + fieldBytes;
  const size = headLen + data.length;
  const inline = data.length <= INLINE_PAYLOAD_BYTES;
  const buf = Buffer.allocUnsafe(HEADER_BYTES + (inline ? size : headLen));
  buf.writeUInt32BE(MAGIC_RES, 0);
  buf.writeUInt32BE(type, 4);
  buf.writeUInt32BE(size, 8);
  let pos = codec.write(buf, HEADER_BYTES, id);
  buf[pos++] = 0;
  for (const f of fields) {
    f.copy(buf, pos);
    pos += f.length;
    buf[pos++] = 0;
  }
  if (!inline) return [buf, data];
  data.copy(buf, pos);
  return buf;
}

/** Where a received view came from: it makes the view safe to hold (the view itself, or a copy). */
export interface PayloadOwner {
  keep(view: Buffer): Buffer;
}

/**
 * A packet with a raw payload as received (forwarded WORK_*, ECHO_RES, OPTION_RES). A large payload is
 * sent as it is, after `owner.keep` (a view into a read buffer must be made safe to hold until the flush).
 */
export function encodeRaw(type: number, payload: Buffer, owner?: PayloadOwner): Buffer | [Buffer, Buffer] {
  if (payload.length > INLINE_PAYLOAD_BYTES) {
    const head = Buffer.allocUnsafe(HEADER_BYTES);
    head.writeUInt32BE(MAGIC_RES, 0);
    head.writeUInt32BE(type, 4);
    head.writeUInt32BE(payload.length, 8);
    return [head, owner === undefined ? payload : owner.keep(payload)];
  }
  const buf = header(payload.length, type);
  payload.copy(buf, HEADER_BYTES);
  return buf;
}

/** Zero-argument packets are constant: share one buffer each. */
export function encodeEmpty(type: number): Buffer {
  return header(0, type);
}

/** C atoi: optional sign, leading digits, anything else stops; no digits -> 0. */
export function atoi(bytes: Buffer): number {
  // Out of range, bytes[i] is undefined: every comparison below is then false and the loops stop.
  let i = 0;
  for (let b = bytes[i]; b === 0x20 || (b !== undefined && b >= 0x09 && b <= 0x0d); b = bytes[++i]);
  let sign = 1;
  if (bytes[i] === 0x2d || bytes[i] === 0x2b) sign = bytes[i++] === 0x2d ? -1 : 1;
  let n = 0;
  for (let b = bytes[i]; b !== undefined && b >= 0x30 && b <= 0x39 && n < 1e15; b = bytes[++i]) n = n * 10 + b - 0x30;
  return sign * n;
}
