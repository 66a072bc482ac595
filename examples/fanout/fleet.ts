// The local fleet simulator: N HTTP endpoints on 127.0.x.y:basePort+i served by a few child processes,
// with a control HTTP endpoint on 127.0.0.1 (GET /counts, POST /reset, POST /configure, GET /health).

import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BEHAVIOUR, type FleetBehaviour } from './fleet-behaviour.js';
import {
  COUNTER_NAMES,
  emptyCounters,
  type ChildToParent,
  type Counters,
  type CounterName,
  type ParentToChild,
} from './fleet-ipc.js';
import { DEFAULT_BASE_PORT, endpointAt, fleetUrls } from './targets.js';

export interface FleetOptions {
  count?: number;
  basePort?: number;
  /** Serving processes (the endpoints are split between them). */
  procs?: number;
  behaviour?: Partial<FleetBehaviour>;
  /** Control endpoint port on 127.0.0.1; 0 = free port. */
  controlPort?: number;
  startTimeoutMs?: number;
}

export type CountTotals = Record<CounterName, number>;
export interface FleetCounts {
  count: number;
  totals: CountTotals;
  /** Requests of any method per endpoint. */
  requests: number[];
  perEndpoint: Counters;
}

export interface Fleet {
  count: number;
  basePort: number;
  urls: string[];
  controlUrl: string;
  pids: number[];
  behaviour(): FleetBehaviour;
  counts(): Promise<FleetCounts>;
  reset(): Promise<void>;
  configure(b: Partial<FleetBehaviour>): Promise<void>;
  close(): Promise<void>;
}

const childPath = fileURLToPath(new URL('./fleet-child.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

export function totalsOf(c: Counters): CountTotals {
  const t = {} as CountTotals;
  for (const k of COUNTER_NAMES) t[k] = c[k].reduce((a, b) => a + b, 0);
  return t;
}

export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  const count = opts.count ?? 2000;
  const basePort = opts.basePort ?? DEFAULT_BASE_PORT;
  const procs = Math.max(1, Math.min(opts.procs ?? 2, count));
  let behaviour: FleetBehaviour = { ...DEFAULT_BEHAVIOUR, ...opts.behaviour };
  endpointAt(count - 1, basePort); // range check before spawning anything

  const children: ChildProcess[] = [];
  const waiters = new Map<number, (m: ChildToParent) => void>();
  let nextId = 1;
  let closed = false;

  const request = async (make: (id: number) => ParentToChild): Promise<ChildToParent[]> => {
    if (closed) throw new Error('the fleet is closed');
    return Promise.all(
      children.map(
        (c) =>
          new Promise<ChildToParent>((resolve, reject) => {
            const id = nextId++;
            const timer = setTimeout(() => {
              waiters.delete(id);
              reject(new Error('fleet child did not answer in 10 s'));
            }, 10_000);
            waiters.set(id, (m) => {
              clearTimeout(timer);
              resolve(m);
            });
            c.send(make(id));
          }),
      ),
    );
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await new Promise<void>((r) => control.close(() => r()));
    control.closeAllConnections();
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (c.connected) c.send({ type: 'stop' } satisfies ParentToChild);
            else c.kill('SIGTERM');
          }),
      ),
    );
  };

  const counts = async (): Promise<FleetCounts> => {
    const all = emptyCounters(count);
    for (const m of await request((id) => ({ type: 'counts', id }))) {
      if (m.type !== 'counts') continue;
      for (const k of COUNTER_NAMES)
        m.counters[k].forEach((v, i) => {
          all[k][m.from + i] = v;
        });
    }
    // emptyCounters(count): every counter array has one entry per endpoint.
    const requests = all.get.map((g, i) => g + all.post[i]! + all.other[i]!);
    return { count, totals: totalsOf(all), requests, perEndpoint: all };
  };
  const reset = async (): Promise<void> => {
    await request((id) => ({ type: 'reset', id }));
  };
  const configure = async (b: Partial<FleetBehaviour>): Promise<void> => {
    behaviour = { ...behaviour, ...b };
    await request((id) => ({ type: 'configure', id, behaviour }));
  };

  const control = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://control');
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => {
      const route = `${req.method} ${url.pathname}`;
      const run = async (): Promise<unknown> => {
        if (route === 'GET /health') return { ok: true, count, basePort, pids: children.map((c) => c.pid), behaviour };
        if (route === 'GET /counts') {
          const c = await counts();
          return url.searchParams.get('detail') === '1' ? c : { count: c.count, totals: c.totals };
        }
        if (route === 'POST /reset') return reset().then(() => ({ ok: true }));
        if (route === 'POST /configure')
          return configure(JSON.parse(text || '{}') as Partial<FleetBehaviour>).then(() => ({ ok: true, behaviour }));
        throw Object.assign(new Error(`no route ${route}`), { status: 404 });
      };
      run().then(
        (body) => reply(200, body),
        (err: Error & { status?: number }) => reply(err.status ?? 500, { error: err.message }),
      );
    });
  });

  try {
    const per = Math.ceil(count / procs);
    await Promise.all(
      Array.from({ length: procs }, (_, k) => {
        const from = k * per;
        const to = Math.min(count, from + per);
        const child = fork(childPath, [], {
          execArgv: ['--import', tsxLoader],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(child);
        child.on('message', (m: ChildToParent) => {
          if (m.type === 'counts' || m.type === 'done') {
            const w = waiters.get(m.id);
            waiters.delete(m.id);
            w?.(m);
          }
        });
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error('fleet child did not start in time')),
            opts.startTimeoutMs ?? 20_000,
          );
          child.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`fleet child exited at start (code ${code})`));
          });
          child.on('message', (m: ChildToParent) => {
            if (m.type === 'ready') {
              clearTimeout(timer);
              resolve();
            }
            if (m.type === 'init-failed') {
              clearTimeout(timer);
              reject(new Error(m.message));
            }
          });
          child.send({ type: 'init', basePort, from, to, behaviour } satisfies ParentToChild);
        });
      }),
    );
    await new Promise<void>((resolve, reject) => {
      control.once('error', reject);
      control.listen(opts.controlPort ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    await close();
    throw err;
  }
  const { port } = control.address() as AddressInfo;
  return {
    count,
    basePort,
    urls: fleetUrls(count, basePort),
    controlUrl: `http://127.0.0.1:${port}`,
    pids: children.map((c) => c.pid ?? 0),
    behaviour: () => behaviour,
    counts,
    reset,
    configure,
    close,
  };
}
