// Gearman binary packet codec: encode, and incremental decode of a byte stream that may mix binary
// packets and text admin lines (as gearmand allows on one port). Pure: bytes in, values out, no I/O.

import { argCount, isKnownType, typeName } from './packet-types.js';
import { ProtocolError } from './protocol-error.js';

export type Magic = 'REQ' | 'RES';

export interface Packet {
  magic: Magic;
  type: number;
  /** Arguments as views into the decoder's input: copy what you keep beyond the current call. */
  args: Buffer[];
}

export type Frame =
  | { kind: 'packet'; packet: Packet }
  | { kind: 'text'; line: string }
  | { kind: 'error'; error: ProtocolError };

export const HEADER_BYTES = 12;
export const DEFAULT_MAX_PACKET_BYTES = 128 * 1024 * 1024;
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024;

const MAGIC_REQ = 0x00524551; // "\0REQ"
const MAGIC_RES = 0x00524553; // "\0RES"
const NL = 0x0a;

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

export interface DecoderOptions {
  maxPacketBytes?: number;
  maxLineBytes?: number;
  /** Accept text lines at packet boundaries (the server's admin protocol). Default true. */
  allowText?: boolean;
}

/**
 * Incremental decoder. `push` takes any chunking of the stream and returns every complete frame.
 * After a fatal error it returns nothing more: the stream cannot be resynchronised.
 */
export class PacketDecoder {
  private readonly maxPacketBytes: number;
  private readonly maxLineBytes: number;
  private readonly allowText: boolean;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before parsing can progress; avoids re-concatenating a large packet per chunk. */
  private needBytes = 1;
  private failed = false;
  /** Memory of the last buffer this decoder joined from several chunks: nobody else holds or writes it. */
  private joined: ArrayBufferLike | null = null;

  constructor(options: DecoderOptions = {}) {
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.allowText = options.allowText ?? true;
  }

  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (this.failed || chunk.length === 0) return frames;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.needBytes) return frames;
    let data = chunk;
    if (this.pending.length > 1) {
      data = Buffer.concat(this.pending, this.pendingBytes);
      this.joined = data.buffer;
    }
    const used = this.parse(data, frames);
    if (used >= data.length) {
      this.pending = [];
      this.pendingBytes = 0;
    } else {
      const rest = data.subarray(used);
      this.pending = [rest];
      this.pendingBytes = rest.length;
    }
    return frames;
  }

  /**
   * True when `view` (an argument of a frame from the latest push) lies in a buffer this decoder joined
   * itself and covers at least half of it: keeping the view instead of a copy is safe (nothing else
   * writes there) and pins at most as many bytes again. Large packets spanning socket reads qualify.
   */
  ownsMostOf(view: Uint8Array): boolean {
    return this.joined !== null && view.buffer === this.joined && view.length * 2 >= this.joined.byteLength;
  }

  /**
   * Copies bytes held for an incomplete packet into memory of their own: for a caller that reads into
   * one reused buffer (a socket `onread` buffer) and will overwrite what the last push passed in.
   */
  detach(): void {
    if (this.pendingBytes === 0 || (this.pending.length === 1 && this.pending[0]?.buffer === this.joined)) return;
    const own = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [own];
    this.joined = own.buffer;
  }

  /** Reports leftover bytes at end of stream as a truncated packet or line. */
  end(): Frame[] {
    if (this.failed || this.pendingBytes === 0) return [];
    this.failed = true;
    const first = this.pending[0]?.[0];
    const what = first === 0 ? 'packet' : 'text line';
    return [
      {
        kind: 'error',
        error: new ProtocolError(
          'TRUNCATED',
          `stream ended inside a ${what} (${this.pendingBytes} bytes)`,
          undefined,
          true,
        ),
      },
    ];
  }

  private fail(frames: Frame[], error: ProtocolError): number {
    this.failed = true;
    frames.push({ kind: 'error', error });
    return Number.MAX_SAFE_INTEGER;
  }

  private parse(data: Buffer, frames: Frame[]): number {
    let pos = 0;
    while (pos < data.length) {
      if (data[pos] !== 0) {
        if (!this.allowText) {
          return this.fail(
            frames,
            new ProtocolError('BAD_MAGIC', `expected a packet, got byte 0x${data[pos]!.toString(16)}`, undefined, true),
          );
        }
        const nl = data.indexOf(NL, pos);
        if (nl < 0) {
          if (data.length - pos > this.maxLineBytes) {
            return this.fail(
              frames,
              new ProtocolError('LINE_TOO_LONG', `text line longer than ${this.maxLineBytes} bytes`, undefined, true),
            );
          }
          this.needBytes = data.length - pos + 1;
          return pos;
        }
        let end = nl;
        if (end > pos && data[end - 1] === 0x0d) end--;
        frames.push({ kind: 'text', line: data.toString('latin1', pos, end) });
        pos = nl + 1;
        continue;
      }
      if (data.length - pos < HEADER_BYTES) {
        this.needBytes = HEADER_BYTES;
        return pos;
      }
      const magicWord = data.readUInt32BE(pos);
      if (magicWord !== MAGIC_REQ && magicWord !== MAGIC_RES) {
        return this.fail(
          frames,
          new ProtocolError('BAD_MAGIC', `bad magic 0x${magicWord.toString(16).padStart(8, '0')}`, undefined, true),
        );
      }
      const type = data.readUInt32BE(pos + 4);
      if (!isKnownType(type)) {
        return this.fail(
          frames,
          new ProtocolError('UNKNOWN_TYPE', `unknown packet type ${type}`, `TYPE_${type}`, true),
        );
      }
      const size = data.readUInt32BE(pos + 8);
      if (size > this.maxPacketBytes) {
        return this.fail(
          frames,
          new ProtocolError(
            'TOO_LARGE',
            `${typeName(type)} announces ${size} bytes, more than the limit of ${this.maxPacketBytes}`,
            typeName(type),
            true,
          ),
        );
      }
      const total = HEADER_BYTES + size;
      if (data.length - pos < total) {
        this.needBytes = total;
        return pos;
      }
      const payload = data.subarray(pos + HEADER_BYTES, pos + total);
      pos += total;
      const args = splitArgs(payload, argCount(type), type);
      if (args instanceof ProtocolError) frames.push({ kind: 'error', error: args });
      else frames.push({ kind: 'packet', packet: { magic: magicWord === MAGIC_REQ ? 'REQ' : 'RES', type, args } });
    }
    this.needBytes = 1;
    return pos;
  }
}
