// The Gearman packet as values: its types, the header size, the magic words and the size limits. Shared
// by the encoder and the decoder; pure data.

import type { ProtocolError } from './protocol-error.js';

export type Magic = 'REQ' | 'RES';

export interface Packet {
  magic: Magic;
  type: number;
  /**
   * Arguments as views: into the buffer passed to `PacketDecoder.push` (copy what you keep beyond the
   * call), or, when `owned` is set, into memory the decoder allocated for this packet alone.
   */
  args: Buffer[];
  /** The args lie in memory of this packet alone (a packet that spanned reads): keep them without a copy. */
  owned?: true;
}

export type Frame =
  | { kind: 'packet'; packet: Packet }
  | { kind: 'text'; line: string }
  | { kind: 'error'; error: ProtocolError };

export const HEADER_BYTES = 12;
/** The server's default limit on a packet's payload (gearmand has none below the protocol's). */
export const DEFAULT_MAX_PACKET_BYTES = 128 * 1024 * 1024;
/** The protocol's own limit: the size field is a uint32. */
export const PROTOCOL_MAX_PACKET_BYTES = 0xffffffff;
/** An argument longer than this is sent as its own chunk instead of being copied next to the header. */
export const INLINE_ARG_BYTES = 16 * 1024;
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024;

export const MAGIC_REQ = 0x00524551; // "\0REQ"
export const MAGIC_RES = 0x00524553; // "\0RES"
