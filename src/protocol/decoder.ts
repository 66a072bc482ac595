// Incremental decoding of a byte stream that may mix binary packets and text admin lines (as gearmand
// allows on one port). Pure: bytes in, frames out, no I/O.

import { splitArgs } from './encode.js';
import { argCount, isKnownType, typeName } from './packet-types.js';
import {
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_PACKET_BYTES,
  type Frame,
  HEADER_BYTES,
  MAGIC_REQ,
  MAGIC_RES,
} from './packet.js';
import { ProtocolError } from './protocol-error.js';

const NL = 0x0a;

export interface DecoderOptions {
  maxPacketBytes?: number;
  maxLineBytes?: number;
  /** Accept text lines at packet boundaries (the server's admin protocol). Default true. */
  allowText?: boolean;
  /** Told the size of each payload allocated for a packet that spans pushes (memory the caller may want back). */
  onAllocate?: (bytes: number) => void;
}

/** A packet payload at least this large that spans pushes gets memory of its own (not from the shared pool). */
const OWN_PAYLOAD_BYTES = 4096;

/**
 * Incremental decoder. `push` takes any chunking of the stream and returns every complete frame.
 * It never keeps a reference to a pushed buffer: a frame that does not end inside one push is carried
 * in the decoder's own memory, so callers may read every chunk into one reused buffer. A packet's payload
 * carried that way is allocated once, at its full size, when its header arrives (one copy of the bytes,
 * however many reads it spans). After a fatal error it returns nothing more: the stream cannot be resynchronised.
 */
export class PacketDecoder {
  private readonly maxPacketBytes: number;
  private readonly maxLineBytes: number;
  private readonly allowText: boolean;
  private readonly onAllocate: ((bytes: number) => void) | undefined;
  private failed = false;
  /** The start of a frame that did not end in its push: 'header' (< 12 bytes), 'payload' or 'line'. */
  private carry: 'header' | 'payload' | 'line' | null = null;
  /** Bytes of the current packet header seen so far (carry 'header'), or the whole header (carry 'payload'). */
  private readonly head = Buffer.alloc(HEADER_BYTES);
  private headBytes = 0;
  /** The carried payload (its full size) and how much of it is filled. */
  private payload: Buffer | null = null;
  private payloadFill = 0;
  /** The carried start of a text line. */
  private line: Buffer | null = null;
  /**
   * The memory of the payload emitted by the latest push, owned by that packet alone. Weak: the decoder
   * must not keep a large payload alive once its packet was handled (an idle connection pushes no more).
   */
  private emitted: WeakRef<ArrayBufferLike> | null = null;

  constructor(options: DecoderOptions = {}) {
    this.maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.allowText = options.allowText ?? true;
    this.onAllocate = options.onAllocate;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    if (this.carry === 'header') return this.headBytes;
    if (this.carry === 'payload') return HEADER_BYTES + this.payloadFill;
    if (this.carry === 'line') return this.line?.length ?? 0;
    return 0;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.emitted = null;
    if (this.failed || chunk.length === 0) return frames;
    let pos = 0;
    if (this.carry !== null) {
      pos = this.continueCarry(chunk, frames);
      if (this.carry !== null || this.failed) return frames;
    }
    const used = this.parse(chunk, pos, frames);
    if (used < chunk.length && !this.failed) this.startCarry(chunk, used, frames);
    return frames;
  }

  /**
   * True when `view` (an argument of a frame from the latest push) lies in payload memory the decoder
   * allocated for that packet alone and covers at least half of it: keeping the view instead of a copy
   * is safe (nothing else writes there) and pins at most as many bytes again.
   */
  ownsMostOf(view: Uint8Array): boolean {
    const own = this.emitted?.deref();
    return own !== undefined && view.buffer === own && view.length * 2 >= own.byteLength;
  }

  /** Reports leftover bytes at end of stream as a truncated packet or line. */
  end(): Frame[] {
    if (this.failed || this.carry === null) return [];
    const held = this.bufferedBytes;
    const what = this.carry === 'line' ? 'text line' : 'packet';
    this.failed = true;
    this.dropCarry();
    return [
      {
        kind: 'error',
        error: new ProtocolError('TRUNCATED', `stream ended inside a ${what} (${held} bytes)`, undefined, true),
      },
    ];
  }

  private dropCarry(): void {
    this.carry = null;
    this.headBytes = 0;
    this.payload = null;
    this.payloadFill = 0;
    this.line = null;
  }

  private fail(frames: Frame[], error: ProtocolError): number {
    this.failed = true;
    this.dropCarry();
    frames.push({ kind: 'error', error });
    return Number.MAX_SAFE_INTEGER;
  }

  /** Keeps the incomplete frame starting at `pos` in the decoder's own memory. */
  private startCarry(data: Buffer, pos: number, frames: Frame[]): void {
    if (data[pos] !== 0) {
      this.carry = 'line';
      this.line = Buffer.from(data.subarray(pos));
      return;
    }
    const have = data.length - pos;
    if (have < HEADER_BYTES) {
      this.carry = 'header';
      this.headBytes = data.copy(this.head, 0, pos);
      return;
    }
    data.copy(this.head, 0, pos, pos + HEADER_BYTES);
    this.headBytes = HEADER_BYTES;
    const size = this.checkHeader(this.head, 0, frames);
    if (size < 0) return;
    this.startPayload(size);
    this.payloadFill = data.copy(this.payload!, 0, pos + HEADER_BYTES);
  }

  private startPayload(size: number): void {
    this.carry = 'payload';
    this.payload = size >= OWN_PAYLOAD_BYTES ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
    this.payloadFill = 0;
    if (size >= OWN_PAYLOAD_BYTES) this.onAllocate?.(size);
  }

  /** Feeds the carried frame from the start of `chunk`; returns the position after the bytes it took. */
  private continueCarry(chunk: Buffer, frames: Frame[]): number {
    if (this.carry === 'line') {
      const nl = chunk.indexOf(NL);
      const line = this.line!;
      if (nl < 0) {
        if (line.length + chunk.length > this.maxLineBytes) {
          return this.fail(
            frames,
            new ProtocolError('LINE_TOO_LONG', `text line longer than ${this.maxLineBytes} bytes`, undefined, true),
          );
        }
        this.line = Buffer.concat([line, chunk]);
        return chunk.length;
      }
      const whole = Buffer.concat([line, chunk.subarray(0, nl)]);
      this.dropCarry();
      const end = whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length;
      frames.push({ kind: 'text', line: whole.toString('latin1', 0, end) });
      return nl + 1;
    }
    let pos = 0;
    if (this.carry === 'header') {
      const took = chunk.copy(this.head, this.headBytes, 0, HEADER_BYTES - this.headBytes);
      this.headBytes += took;
      pos = took;
      if (this.headBytes < HEADER_BYTES) return pos;
      const size = this.checkHeader(this.head, 0, frames);
      if (size < 0) return Number.MAX_SAFE_INTEGER;
      this.startPayload(size);
    }
    const payload = this.payload!;
    const took = chunk.copy(payload, this.payloadFill, pos, pos + payload.length - this.payloadFill);
    this.payloadFill += took;
    pos += took;
    if (this.payloadFill < payload.length) return pos;
    const head = this.head;
    this.dropCarry();
    this.emitPacket(head.readUInt32BE(0), head.readUInt32BE(4), payload, frames, true);
    return pos;
  }

  /** The payload size a valid header at `pos` announces, or -1 after recording a fatal error. */
  private checkHeader(data: Buffer, pos: number, frames: Frame[]): number {
    const magicWord = data.readUInt32BE(pos);
    if (magicWord !== MAGIC_REQ && magicWord !== MAGIC_RES) {
      this.fail(
        frames,
        new ProtocolError('BAD_MAGIC', `bad magic 0x${magicWord.toString(16).padStart(8, '0')}`, undefined, true),
      );
      return -1;
    }
    const type = data.readUInt32BE(pos + 4);
    if (!isKnownType(type)) {
      this.fail(frames, new ProtocolError('UNKNOWN_TYPE', `unknown packet type ${type}`, `TYPE_${type}`, true));
      return -1;
    }
    const size = data.readUInt32BE(pos + 8);
    if (size > this.maxPacketBytes) {
      this.fail(
        frames,
        new ProtocolError(
          'TOO_LARGE',
          `${typeName(type)} announces ${size} bytes, more than the limit of ${this.maxPacketBytes}`,
          typeName(type),
          true,
        ),
      );
      return -1;
    }
    return size;
  }

  private emitPacket(magicWord: number, type: number, payload: Buffer, frames: Frame[], owned: boolean): void {
    const args = splitArgs(payload, argCount(type), type);
    if (args instanceof ProtocolError) {
      frames.push({ kind: 'error', error: args });
      return;
    }
    const magic = magicWord === MAGIC_REQ ? 'REQ' : 'RES';
    if (owned && payload.length >= OWN_PAYLOAD_BYTES) {
      this.emitted = new WeakRef(payload.buffer);
      frames.push({ kind: 'packet', packet: { magic, type, args, owned: true } });
    } else {
      frames.push({ kind: 'packet', packet: { magic, type, args } });
    }
  }

  /** Decodes every complete frame from `pos`; returns where the first incomplete one starts. */
  private parse(data: Buffer, pos: number, frames: Frame[]): number {
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
          return pos;
        }
        let end = nl;
        if (end > pos && data[end - 1] === 0x0d) end--;
        frames.push({ kind: 'text', line: data.toString('latin1', pos, end) });
        pos = nl + 1;
        continue;
      }
      if (data.length - pos < HEADER_BYTES) return pos;
      const size = this.checkHeader(data, pos, frames);
      if (size < 0) return Number.MAX_SAFE_INTEGER;
      const total = HEADER_BYTES + size;
      if (data.length - pos < total) return pos;
      const magicWord = data.readUInt32BE(pos);
      const type = data.readUInt32BE(pos + 4);
      this.emitPacket(magicWord, type, data.subarray(pos + HEADER_BYTES, pos + total), frames, false);
      pos += total;
    }
    return pos;
  }
}
