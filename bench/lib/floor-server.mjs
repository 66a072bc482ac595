// The least a Node Gearman server can do per foreground job, to measure Node's floor against gearmand
// (not a server: one FIFO, no priorities, uniques, timeouts or errors). SUBMIT_JOB -> JOB_CREATED,
// GRAB_JOB* -> JOB_ASSIGN*, PRE_SLEEP/NOOP, WORK_COMPLETE forwarded; replies joined and written once per turn.
// FLOOR_IO=stream: 'data' events and socket.write; onread: one shared read buffer (as gmsup's server).
// Prints "listening on 127.0.0.1:PORT" like `gmsup server`. Used by bench/lib/server-ab.ts (`floor:stream`).

import net from 'node:net';

const IO = process.env.FLOOR_IO ?? 'stream';
const HEADER = 12;
const RES = 0x00524553;
const queue = [];
const jobs = new Map();
const sleepers = new Set();
const pending = new Set();
let nextId = 1;
let scheduled = false;

function packet(type, parts) {
  let size = parts.length > 0 ? parts.length - 1 : 0;
  for (const p of parts) size += p.length;
  const b = Buffer.allocUnsafe(HEADER + size);
  b.writeUInt32BE(RES, 0);
  b.writeUInt32BE(type, 4);
  b.writeUInt32BE(size, 8);
  let pos = HEADER;
  parts.forEach((p, i) => {
    p.copy(b, pos);
    pos += p.length;
    if (i < parts.length - 1) b[pos++] = 0;
  });
  return b;
}

const NOOP = packet(6, []);
const NO_JOB = packet(10, []);

function flushAll() {
  scheduled = false;
  for (const c of pending) c.flush();
  pending.clear();
}

class Conn {
  constructor(socket) {
    this.socket = socket;
    this.out = [];
    this.outBytes = 0;
    this.rest = null;
    this.sleeping = false;
  }

  send(b) {
    if (this.out.length === 0) {
      pending.add(this);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushAll);
      }
    }
    this.out.push(b);
    this.outBytes += b.length;
  }

  flush() {
    const buf = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    this.socket.write(buf);
  }

  /** A chunk valid during the call only (the shared read buffer): leftovers are copied. */
  data(chunk) {
    const d = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let pos = 0;
    while (d.length - pos >= HEADER) {
      const type = d.readUInt32BE(pos + 4);
      const size = d.readUInt32BE(pos + 8);
      if (d.length - pos < HEADER + size) break;
      this.packet(type, d.subarray(pos + HEADER, pos + HEADER + size));
      pos += HEADER + size;
    }
    if (pos < d.length) this.rest = Buffer.from(d.subarray(pos));
  }

  packet(type, p) {
    if (type === 4) {
      // PRE_SLEEP
      if (queue.length > 0) this.send(NOOP);
      else {
        this.sleeping = true;
        sleepers.add(this);
      }
    } else if (type === 9 || type === 30 || type === 39) {
      // GRAB_JOB, GRAB_JOB_UNIQ, GRAB_JOB_ALL
      this.sleeping = false;
      const j = queue.shift();
      if (!j) this.send(NO_JOB);
      else if (type === 9) this.send(packet(11, [j.handle, j.fn, j.data]));
      else if (type === 30) this.send(packet(31, [j.handle, j.fn, j.unique, j.data]));
      else this.send(packet(40, [j.handle, j.fn, j.unique, Buffer.alloc(0), j.data]));
    } else if (type === 7) {
      // SUBMIT_JOB
      const a = p.indexOf(0);
      const b = p.indexOf(0, a + 1);
      const handle = Buffer.from(`H:floor:${nextId++}`, 'latin1');
      const j = {
        handle,
        fn: Buffer.from(p.subarray(0, a)),
        unique: Buffer.from(p.subarray(a + 1, b)),
        data: Buffer.from(p.subarray(b + 1)),
        client: this,
      };
      jobs.set(handle.toString('latin1'), j);
      queue.push(j);
      this.send(packet(8, [handle]));
      for (const s of sleepers) {
        if (s.sleeping) {
          s.sleeping = false;
          s.send(NOOP);
        }
      }
      sleepers.clear();
    } else if (type === 13) {
      // WORK_COMPLETE
      const key = p.toString('latin1', 0, p.indexOf(0));
      const j = jobs.get(key);
      jobs.delete(key);
      j?.client.send(packet(13, [p]));
    }
    // CAN_DO, SET_CLIENT_ID and the rest: nothing to do here.
  }
}

const server = net.createServer({ noDelay: true });
const shared = Buffer.allocUnsafe(64 * 1024);
server.listen(0, '127.0.0.1', () => {
  if (IO === 'onread') {
    server._handle.onconnection = (err, handle) => {
      if (err) return;
      let c = null;
      const onread = { buffer: shared, callback: (n, buf) => c?.data(Buffer.from(buf.buffer, buf.byteOffset, n)) };
      const s = new net.Socket({ handle, readable: true, writable: true, onread });
      s.setNoDelay(true);
      s.on('error', () => {});
      c = new Conn(s);
    };
  } else {
    server.on('connection', (s) => {
      const c = new Conn(s);
      s.on('data', (d) => c.data(d));
      s.on('error', () => {});
    });
  }
  process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
