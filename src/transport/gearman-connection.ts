// One TCP connection to a Gearman job server, for clients and workers: connects with a deadline,
// decodes incoming packets, writes requests batched per tick. No retry policy here (callers own it).

import { EventEmitter } from 'node:events';
import net from 'node:net';
import {
  PacketDecoder,
  PROTOCOL_MAX_PACKET_BYTES,
  encodePacketParts,
  type Arg,
  type Packet,
} from '../protocol/codec.js';
import { PacketType, typeName } from '../protocol/packet-types.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { GmsupError } from '../shared/errors.js';
import { WriteQueue } from '../shared/write-queue.js';
import { formatHostPort, type HostPort } from '../shared/host-port.js';
import { applyKeepalive, type KeepaliveSettings } from '../shared/tcp-keepalive.js';

export interface ConnectionOptions {
  connectTimeoutMs?: number;
  /** Largest packet accepted from the server; default the protocol's limit (the server bounds what it relays). */
  maxPacketBytes?: number;
  /**
   * Read into one reused buffer (socket `onread`): no allocation per read and no stream machinery.
   * Only for listeners that copy what they keep from a packet before returning (the worker does):
   * packet args are then views into memory the next read overwrites.
   */
  reuseReadBuffer?: boolean;
  /**
   * TCP keepalive once connected (a dead server is noticed within idle + interval x count). Absent or
   * null: none, for short-lived connections that have their own reply deadline (admin commands).
   */
  keepalive?: KeepaliveSettings | null;
  /** Told when the keepalive options cannot be set on the socket. */
  onKeepaliveError?: (message: string) => void;
}

/** Size of the reused read buffer (the default read size of a Node socket). */
const READ_BUFFER_BYTES = 64 * 1024;

export interface GearmanConnectionEvents {
  packet: [Packet];
  /** Text from the server (an admin reply). Only arrives if a text command was sent. */
  text: [string];
  close: [Error | undefined];
}

export class GearmanConnection extends EventEmitter<GearmanConnectionEvents> {
  readonly address: string;
  private readonly decoder: PacketDecoder;
  /** Bytes written this tick, not yet handed to the socket: they leave as ONE buffer (one syscall). */
  private readonly pending = new WriteQueue();
  private flushScheduled = false;
  private closed = false;

  private constructor(
    private readonly socket: net.Socket,
    hp: HostPort,
    options: ConnectionOptions,
  ) {
    super();
    this.address = formatHostPort(hp);
    this.decoder = new PacketDecoder({
      maxPacketBytes: options.maxPacketBytes ?? PROTOCOL_MAX_PACKET_BYTES,
      allowText: true,
    });
    socket.setNoDelay(true);
    if (!options.reuseReadBuffer) socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish(undefined));
  }

  static connect(hp: HostPort, options: ConnectionOptions = {}): Promise<GearmanConnection> {
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      let conn: GearmanConnection | null = null;
      const onread = options.reuseReadBuffer
        ? {
            buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
            callback: (bytes: number, buf: Uint8Array): boolean => {
              conn?.onReadInto(buf, bytes);
              return true;
            },
          }
        : undefined;
      const socket = net.connect({ host: hp.host, port: hp.port, onread });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new GmsupError('SERVER_UNREACHABLE', `connect to ${formatHostPort(hp)} timed out after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        applyKeepalive(socket, options.keepalive ?? null, options.onKeepaliveError);
        conn = new GearmanConnection(socket, hp, options);
        resolve(conn);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new GmsupError('SERVER_UNREACHABLE', `cannot connect to ${formatHostPort(hp)}: ${err.message}`, {
            cause: err,
          }),
        );
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request packet. Writes made in one tick leave in one syscall; a large last argument is not copied. */
  send(type: number, ...args: Arg[]): void {
    const parts = encodePacketParts('REQ', type, args);
    for (let i = 0; i < parts.length; i++) this.write(parts[i]!);
  }

  /** Sends a text admin command (a line; `\r\n` is appended). */
  sendText(line: string): void {
    this.write(Buffer.from(`${line}\r\n`, 'latin1'));
  }

  write(bytes: Buffer): void {
    if (this.closed) return;
    this.pending.push(bytes);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /**
   * Hands what was written so far to the socket now (see WriteQueue). Callers flush early when more
   * (slow) work follows in the same tick.
   */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed) this.pending.clear();
    else this.pending.flushTo(this.socket);
  }

  /** Half-closes, then waits for the socket to close (bounded). Idempotent. */
  close(timeoutMs = 1000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
      this.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.flush();
      this.socket.end();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** A read into the reused buffer: decoded now (the decoder itself keeps nothing that points into it). */
  private onReadInto(buf: Uint8Array, bytes: number): void {
    this.onData(Buffer.from(buf.buffer, buf.byteOffset, bytes));
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (frame.kind === 'packet') {
        if (frame.packet.magic !== 'RES') {
          this.fail(
            new ProtocolError(
              'BAD_MAGIC',
              `server sent ${typeName(frame.packet.type)} with request magic`,
              typeName(frame.packet.type),
              true,
            ),
          );
          return;
        }
        this.emit('packet', frame.packet);
      } else if (frame.kind === 'text') {
        this.emit('text', frame.line);
      } else {
        this.fail(frame.error);
        return;
      }
    }
  }

  private fail(err: ProtocolError): void {
    this.socket.destroy();
    this.finish(new GmsupError('PROTOCOL', `protocol error from ${this.address}: ${err.message}`, { cause: err }));
  }

  private finish(err: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.emit('close', err);
  }
}

/** Decodes an ERROR packet into a GmsupError. */
export function errorFromPacket(packet: Packet): GmsupError {
  const code = packet.args[0]?.toString('latin1') ?? '';
  const text = packet.args[1]?.toString('utf8') ?? '';
  return new GmsupError('SERVER_ERROR', `job server error ${code}: ${text}`);
}

export { PacketType };
