// One accepted socket of the embedded server: decodes the chunks it reads (valid only during the call: they
// sit in a read buffer shared by every connection) into frames for the server logic, collects a loop turn's
// replies into one write, and stops reading a peer that holds too much memory. A bad frame never reaches
// other connections.

import type net from 'node:net';
import { PacketDecoder, type Frame } from '../protocol/codec.js';
import { runAdminCommand } from './admin-commands.js';
import type { FlushBatcher, Flushable } from './flush-batcher.js';
import { invalidPacket, packetTooLarge } from './error-packets.js';
import { CONN_ADMIN, CONN_CLIENT, ServerConn, type Peer } from './model.js';
import { WriteQueue } from '../shared/write-queue.js';
import type { ServerState } from './server-state.js';

/** Default: a peer that stops reading may hold at most this much unsent output (at least 2 max packets). */
const MIN_OUTPUT_LIMIT_BYTES = 256 * 1024 * 1024;
/** Default back-pressure threshold: see ConnectionLimits.readPauseBytes. */
export const DEFAULT_READ_PAUSE_BYTES = 16 * 1024 * 1024;

export interface ConnectionLimits {
  maxPacketBytes: number;
  /** Unsent output past which the peer is dropped (default 256 MiB, at least 2 max packets). */
  maxOutputBytes?: number;
  /** Told the size of each large payload the connection's decoder allocates (MemoryReclaimer). */
  onAllocate?: (bytes: number) => void;
  /**
   * Back-pressure: the connection is not read while its unsent replies plus the payloads of the foreground
   * jobs it waits on exceed this; reading resumes once they drop below it (default 16 MiB).
   */
  readPauseBytes?: number;
}

function peerIp(socket: net.Socket): string {
  const ip = socket.remoteAddress ?? '-';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export class Connection implements Peer, Flushable {
  readonly conn: ServerConn;
  private readonly decoder: PacketDecoder;
  /** Replies queued this loop turn, written once by flush(). */
  private readonly out = new WriteQueue();
  /** No more frames are handled once the connection is being closed. */
  private closing = false;
  private readonly outputLimitBytes: number;
  private readonly readPauseBytes: number;
  /** Reading is stopped by back-pressure (checkFlow). */
  private readPaused = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly state: ServerState,
    private readonly batcher: FlushBatcher,
    limits: ConnectionLimits,
    fallbackFd: number,
    private readonly log?: (line: string) => void,
  ) {
    const { maxPacketBytes } = limits;
    this.decoder = new PacketDecoder({ maxPacketBytes, allowText: true, onAllocate: limits.onAllocate });
    this.outputLimitBytes = limits.maxOutputBytes ?? Math.max(MIN_OUTPUT_LIMIT_BYTES, 2 * maxPacketBytes);
    this.readPauseBytes = limits.readPauseBytes ?? DEFAULT_READ_PAUSE_BYTES;
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    this.conn = new ServerConn(this, typeof fd === 'number' && fd >= 0 ? fd : fallbackFd, peerIp(socket));
    state.connect(this.conn);
    socket.setNoDelay(true);
    // The peer half-closed: answer everything it sent (gearmand 1.1.20 drops text commands here), then close.
    socket.on('end', () => this.end());
    socket.on('error', () => {
      /* 'close' follows */
    });
    socket.on('close', () => state.disconnect(this.conn));
    // Emitted once the unsent output is gone, after a write that went over the socket's high-water mark.
    socket.on('drain', () => this.checkFlow());
  }

  write(chunk: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    if (this.out.push(chunk)) this.batcher.add(this);
  }

  keep(view: Buffer): Buffer {
    // A view into the shared read buffer is overwritten by the next read: copied, unless the decoder
    // allocated it for this packet alone (a large packet that spanned reads).
    return this.decoder.ownsMostOf(view) ? view : Buffer.from(view);
  }

  flush(): void {
    if (this.socket.destroyed || !this.socket.writable) {
      this.out.clear();
      return;
    }
    this.out.flushTo(this.socket);
    if (this.socket.writableLength > this.outputLimitBytes) {
      // Even paused, results of the jobs it waits on piled up past the hard limit: drop it.
      this.log?.(`connection ${this.conn.fd}: ${this.socket.writableLength} bytes unread by the peer; closing it`);
      this.destroy();
      return;
    }
    this.checkFlow();
  }

  /**
   * Back-pressure: a peer whose unsent replies plus pending foreground payloads hold more than readPauseBytes
   * is not read (its requests wait in the kernel, and it blocks in its own writes) until they drain.
   */
  private checkFlow(): void {
    if (this.closing) return;
    const heldBytes = this.socket.writableLength + this.conn.attachedBytes;
    if (!this.readPaused && heldBytes > this.readPauseBytes) {
      this.readPaused = true;
      this.socket.pause();
    } else if (this.readPaused && heldBytes <= this.readPauseBytes) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  end(): void {
    if (this.closing) return;
    this.closing = true;
    this.flush();
    // Flush what is queued, then close fully even if the peer keeps its side open.
    if (!this.socket.destroyed) this.socket.end(() => this.socket.destroy());
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  /** One chunk read from the socket; false asks the caller to stop reading from it. */
  onData(chunk: Buffer): boolean {
    if (this.closing) return true;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
      for (let i = 0; i < frames.length && !this.closing; i++) this.onFrame(frames[i]!);
    } catch (err) {
      // A server bug must cost at most this one connection, never the process.
      const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
      this.log?.(`connection ${this.conn.fd}: internal error: ${why}`);
      this.end();
    }
    this.checkFlow();
    return !this.readPaused;
  }

  private onFrame(frame: Frame): void {
    if (frame.kind === 'packet') {
      this.state.receive(this.conn, frame.packet);
    } else if (frame.kind === 'text') {
      if (this.conn.kind === CONN_CLIENT) this.conn.kind = CONN_ADMIN;
      const reply = runAdminCommand(this.state, frame.line);
      if (reply === null) this.end();
      else this.write(Buffer.from(reply, 'latin1')); // one write per reply: gearadmin stops at 5 ms of silence
    } else {
      const e = frame.error;
      if (!e.fatal) {
        this.write(invalidPacket(e.message));
        return;
      }
      // Out of sync (bad magic, unknown type, oversized): like gearmand, close; an oversized packet is told why.
      if (e.kind === 'TOO_LARGE') this.write(packetTooLarge(e.message));
      this.end();
    }
  }
}
