// Accepted sockets that read into ONE buffer shared by every connection (socket `onread`): no allocation
// and no stream machinery per read. net.Server has no option for it, so this builds each Socket the way
// net.Server does, plus `onread`; without the listener internals it needs, it falls back to 'data' events.

import net from 'node:net';

/** Size of the shared read buffer (a Node socket's default read size). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Called with each chunk read; the chunk is only valid during the call (the next read overwrites it).
 * Returning false stops reading from that socket until `socket.resume()`.
 */
export type ReadHandler = (chunk: Buffer) => boolean;

/** Gives a new socket its read handler; called before the socket's first read. */
export type Accepted = (socket: net.Socket) => ReadHandler;

/** What this file relies on in net.Server (stable since Node 0.x: `_handle.onconnection`, `_connections`). */
interface ListenerInternals {
  _handle?: { onconnection?: unknown } | null;
  _connections: number;
}

interface TcpHandleInternals {
  setNoDelay?: (on: boolean) => void;
}

/**
 * Makes `listener` (listening already) hand each accepted socket to `accepted`. True when sockets read
 * into the shared buffer; false when they use 'data' events (then the handler still sees every chunk,
 * and a false return pauses the socket).
 */
export function acceptWithSharedBuffer(listener: net.Server, accepted: Accepted): boolean {
  const internals = listener as unknown as ListenerInternals;
  const handle = internals._handle;
  if (handle === null || handle === undefined || typeof handle.onconnection !== 'function') {
    listener.on('connection', (socket: net.Socket) => {
      const onChunk = accepted(socket);
      socket.on('data', (chunk: Buffer) => {
        if (!onChunk(chunk)) socket.pause();
      });
    });
    return false;
  }
  const shared = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  handle.onconnection = (err: number, clientHandle: TcpHandleInternals) => {
    if (err) {
      listener.emit('error', new Error(`accept failed: ${err}`));
      return;
    }
    let onChunk: ReadHandler | null = null;
    const options = {
      handle: clientHandle,
      allowHalfOpen: true,
      readable: true,
      writable: true,
      onread: {
        buffer: shared,
        callback: (bytes: number, buf: Uint8Array): boolean =>
          onChunk === null || onChunk(Buffer.from(buf.buffer, buf.byteOffset, bytes)),
      },
    };
    const socket = new net.Socket(options as net.SocketConstructorOpts);
    clientHandle.setNoDelay?.(true);
    // What net.Server does for its own sockets: counted, so close() waits for them.
    internals._connections++;
    (socket as unknown as { server: net.Server; _server: net.Server }).server = listener;
    (socket as unknown as { _server: net.Server })._server = listener;
    onChunk = accepted(socket);
  };
  return true;
}
