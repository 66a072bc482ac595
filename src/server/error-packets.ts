// The ERROR packets the server sends, with gearmand 1.1.20's exact code and text (protocol reference
// §2.1). Built once: they are constant bytes.

import { encodeRes } from '../protocol/codec.js';
import { PacketType } from '../protocol/packet-types.js';

const err = (code: string, text: string): Buffer => encodeRes(PacketType.ERROR, code, text);

export const ERR_INVALID_MAGIC = err('INVALID_MAGIC', 'Request magic expected');
export const ERR_INVALID_COMMAND = err('INVALID_COMMAND', 'Command not expected');
export const ERR_UNKNOWN_OPTION = err('UNKNOWN_OPTION', 'Server does not recognize given option');
export const ERR_UNIQUE_TOO_LARGE = err('ARGUMENT_TOO_LARGE', 'Unique value too large');
export const ERR_HANDLE_TOO_LARGE = err(
  'ARGUMENT_TOO_LARGE',
  'Error occurred due to GEARMAND_JOB_HANDLE_SIZE being too small from snprintf',
);
export const ERR_QUEUE_FULL = err('QUEUE_ERROR', 'Job queue is full');
/** A durable store could not commit the job (gearmand answers a failed queue write with QUEUE_ERROR too). */
export const ERR_STORE_FAILED = err('QUEUE_ERROR', 'Job store failed: the job was not stored');
export const ERR_NOT_FOUND_RESULT = err('JOB_NOT_FOUND', 'Job given in work result not found');
export const ERR_NOT_FOUND_EXIST = err('JOB_NOT_FOUND', 'Job does not exist on server');
export const ERR_NOT_FOUND_EXCEPTION = err('JOB_NOT_FOUND', 'An exception was received for a job that does not exist');

/** A malformed packet (gmsup answers where gearmand 1.1.20 stalls): GEARMAN_INVALID_PACKET. */
export function invalidPacket(message: string): Buffer {
  return err('INVALID_PACKET', message);
}

/** Announced size above the server's limit; the connection is closed after this. */
export function packetTooLarge(message: string): Buffer {
  return err('ARGUMENT_TOO_LARGE', message);
}
