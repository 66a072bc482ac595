// ProtocolError: what the codec reports for bytes it cannot accept. Pure value, no I/O.
// `fatal` says the stream is out of sync (the connection must close); otherwise only that packet is bad.

export type ProtocolErrorKind =
  | 'BAD_MAGIC'
  | 'UNKNOWN_TYPE'
  | 'TOO_LARGE'
  | 'BAD_ARGUMENTS'
  | 'LINE_TOO_LONG'
  | 'TRUNCATED';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly kind: ProtocolErrorKind,
    message: string,
    /** Name of the packet type involved, when known (e.g. `SUBMIT_JOB`). */
    readonly packetType: string | undefined,
    readonly fatal: boolean,
  ) {
    super(message);
  }
}
