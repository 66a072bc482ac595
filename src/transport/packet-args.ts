// A packet's arguments as a fixed-size tuple, so a handler names them by destructuring instead of
// indexing a Buffer[] whose length the type does not know.

import type { Packet } from '../protocol/codec.js';
import { typeName } from '../protocol/packet-types.js';
import { GmsupError } from '../shared/errors.js';

interface ArgTuples {
  1: [Buffer];
  2: [Buffer, Buffer];
  3: [Buffer, Buffer, Buffer];
  4: [Buffer, Buffer, Buffer, Buffer];
  5: [Buffer, Buffer, Buffer, Buffer, Buffer];
}

/**
 * The arguments of `packet`, at least `count` of them. The decoder splits every packet into exactly the
 * count its type defines, so fewer means a hand-built packet or a decoder bug: that throws PROTOCOL.
 */
export function packetArgs<N extends keyof ArgTuples>(packet: Packet, count: N): ArgTuples[N] {
  if (packet.args.length < count) {
    const got = packet.args.length;
    throw new GmsupError('PROTOCOL', `${typeName(packet.type)} carries ${got} arguments, expected ${count}`);
  }
  return packet.args as ArgTuples[N];
}
