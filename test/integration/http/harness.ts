// A real embedded job server with the HTTP listener on loopback, and in-process gmsup workers
// (WorkerRuntime over real TCP) that record every payload they ran, for the HTTP integration tests.

import type { TestContext } from 'node:test';
import { adminStatus } from '../../../src/client/index.js';
import { type HttpListener, type HttpListenerOptions, startHttpListener } from '../../../src/http/index.js';
import { type JobServer, startJobServer } from '../../../src/server/index.js';
import type { JobHandler } from '../../../src/worker/index.js';
import { WorkerRuntime } from '../../../src/worker/runtime.js';
import { waitFor } from '../../helpers/wait-for.js';

export interface HttpRig {
  server: JobServer;
  http: HttpListener;
  base: string;
  /** Starts a worker for `fn`; resolves once the server lists it. Stopped (forced) when the test ends. */
  worker(fn: string, handler: JobHandler, concurrency?: number): Promise<WorkerRuntime>;
  /** Queued + running jobs of `fn` right now. */
  queued(fn: string): Promise<number>;
}

export async function startRig(
  t: TestContext,
  httpOpts: Partial<Omit<HttpListenerOptions, 'gateway'>> = {},
): Promise<HttpRig> {
  const server = await startJobServer({ host: '127.0.0.1', port: 0, jobHandlePrefix: 'H:test' });
  const workers: WorkerRuntime[] = [];
  t.after(async () => {
    await Promise.all(workers.map((w) => w.force()));
    await http.close();
    await server.close();
  });
  const http = await startHttpListener({ host: '127.0.0.1', port: 0, token: null, gateway: server.local, ...httpOpts });
  return {
    server,
    http,
    base: `http://127.0.0.1:${http.port}`,
    async worker(fn, handler, concurrency = 1) {
      const w = new WorkerRuntime({
        function: fn,
        servers: [server.address],
        handler,
        concurrency,
        timeoutMs: null,
        maxJobs: null,
        stopTimeoutMs: 2000,
        clientId: `test:${fn}`,
        sendExceptions: true,
      });
      workers.push(w);
      w.start();
      await waitFor(
        async () => (await adminStatus(server.address)).find((s) => s.name === fn && s.availableWorkers > 0),
        {
          what: `worker for ${fn} registered`,
        },
      );
      return w;
    },
    async queued(fn) {
      const s = (await adminStatus(server.address)).find((x) => x.name === fn);
      return s === undefined ? 0 : s.total;
    },
  };
}

/** A promise with its resolve function, for handlers a test releases. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}
