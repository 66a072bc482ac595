// One fleet serving process: listens on a slice of the fleet's endpoints (one net listener each, all
// feeding one http.Server), applies latency and failures, counts per endpoint. Exits with its parent.

import http from 'node:http';
import net from 'node:net';
import { failureFor, sampleLatencyMs, type FleetBehaviour } from './fleet-behaviour.js';
import { emptyCounters, type ChildToParent, type Counters, type ParentToChild } from './fleet-ipc.js';
import { endpointAt, fleetBody } from './targets.js';

const ENDPOINT = Symbol('endpoint');
type TaggedSocket = net.Socket & { [ENDPOINT]?: number };

let from = 0;
let behaviour: FleetBehaviour;
let counters: Counters = emptyCounters(0);
/** Requests seen per endpoint since the last reset: the failure pattern's request number. */
let seq: number[] = [];
let bodies: Buffer[] = [];
const listeners: net.Server[] = [];
const sockets = new Set<net.Socket>();

function send(msg: ChildToParent): void {
  process.send?.(msg);
}

/**
 * Adds `by` to endpoint `local`'s entry of a per-endpoint array (a counter, or the request sequence)
 * and returns the value before. `local` always comes from one of this child's listeners.
 */
function bump(list: number[], local: number, by = 1): number {
  const before = list[local] ?? 0;
  list[local] = before + by;
  return before;
}

function buildBodies(): void {
  // One body per endpoint, cached: a response then costs no allocation.
  bodies = [];
  if (behaviour.sizeBytes * counters.get.length <= 256 * 1024 * 1024) {
    for (let i = 0; i < counters.get.length; i++) bodies.push(fleetBody(from + i, behaviour.sizeBytes));
  }
}

function respond(req: http.IncomingMessage, res: http.ServerResponse, local: number, bytesIn: number): void {
  const failure = failureFor(behaviour, from + local, bump(seq, local));
  const delayMs = sampleLatencyMs(behaviour.latency);
  bump(counters.bytesIn, local, bytesIn);
  if (failure === 'timeout') {
    bump(counters.timeouts, local);
    return; // never answered; released when the caller gives up or the fleet stops
  }
  setTimeout(() => {
    if (failure === 'reset') {
      bump(counters.resets, local);
      req.socket.resetAndDestroy();
      return;
    }
    if (failure === '5xx') {
      bump(counters.fail5xx, local);
      res.writeHead(503, { 'content-length': 0 });
      res.end();
      return;
    }
    bump(counters.ok, local);
    const body =
      req.method === 'GET'
        ? (bodies[local] ?? fleetBody(from + local, behaviour.sizeBytes))
        : Buffer.from(`{"received":${bytesIn}}`);
    bump(counters.bytesOut, local, body.length);
    res.writeHead(200, {
      'content-length': body.length,
      'content-type': req.method === 'GET' ? 'application/octet-stream' : 'application/json',
    });
    res.end(body);
  }, delayMs);
}

const server = http.createServer(
  { keepAliveTimeout: 120_000, requestTimeout: 0, headersTimeout: 120_000 },
  (req, res) => {
    res.sendDate = false;
    const local = (req.socket as TaggedSocket)[ENDPOINT] ?? -1;
    if (local < 0) {
      res.writeHead(500).end();
      return;
    }
    if (req.method === 'GET') bump(counters.get, local);
    else if (req.method === 'POST') bump(counters.post, local);
    else bump(counters.other, local);
    let bytesIn = 0;
    req.on('data', (chunk: Buffer) => {
      bytesIn += chunk.length;
    });
    req.on('end', () => respond(req, res, local, bytesIn));
  },
);

function listenAll(basePort: number, to: number): Promise<void> {
  const pending: Array<Promise<void>> = [];
  for (let i = from; i < to; i++) {
    const local = i - from;
    const e = endpointAt(i, basePort);
    const l = net.createServer((sock: TaggedSocket) => {
      sock[ENDPOINT] = local;
      bump(counters.connections, local);
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
      server.emit('connection', sock);
    });
    listeners.push(l);
    pending.push(
      new Promise((resolve, reject) => {
        l.once('error', (err) => reject(new Error(`cannot listen on ${e.host}:${e.port}: ${err.message}`)));
        l.listen({ host: e.host, port: e.port, backlog: 511 }, () => resolve());
      }),
    );
  }
  return Promise.all(pending).then(() => undefined);
}

function stop(code: number): void {
  for (const l of listeners) l.close();
  for (const s of sockets) s.destroy();
  process.exit(code);
}

process.on('message', (msg: ParentToChild) => {
  switch (msg.type) {
    case 'init':
      from = msg.from;
      behaviour = msg.behaviour;
      counters = emptyCounters(msg.to - msg.from);
      seq = new Array<number>(msg.to - msg.from).fill(0);
      buildBodies();
      listenAll(msg.basePort, msg.to).then(
        () => send({ type: 'ready' }),
        (err: Error) => {
          send({ type: 'init-failed', message: err.message });
          stop(1);
        },
      );
      break;
    case 'configure':
      behaviour = msg.behaviour;
      buildBodies();
      send({ type: 'done', id: msg.id });
      break;
    case 'counts':
      send({ type: 'counts', id: msg.id, from, counters });
      break;
    case 'reset':
      counters = emptyCounters(seq.length);
      seq.fill(0);
      send({ type: 'done', id: msg.id });
      break;
    case 'stop':
      stop(0);
      break;
  }
});
// The parent is gone (killed, crashed): never outlive it.
process.on('disconnect', () => stop(0));
process.on('SIGTERM', () => stop(0));
