// Why a TCP listen failed, as a GmsupError with its own exit status: an address taken by another
// process (ADDRESS_IN_USE) is not the same as an address this machine cannot have (CANNOT_LISTEN), and
// neither is "a gmsup daemon already runs for this file" (ALREADY_RUNNING).

import { GmsupError } from './errors.js';

export function listenError(err: unknown, where: string): GmsupError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new GmsupError('ADDRESS_IN_USE', `cannot listen on ${where}: the address is in use by another process`, {
      cause: err,
    });
  const why =
    code === 'EADDRNOTAVAIL'
      ? 'not an address of this machine'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME'
        ? 'unknown host'
        : code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : (code ?? (err instanceof Error ? err.message : String(err)));
  return new GmsupError('CANNOT_LISTEN', `cannot listen on ${where}: ${why}`, { cause: err });
}
