// The job servers client and interop tests run against: real gearmand 1.1.20 and gmsup's embedded
// server (once src/server/index.ts exists). Each target starts one server and stops it.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startGearmand } from '../../helpers/gearmand.js';
import { skipUnless } from '../../helpers/external.js';

export interface RunningServer {
  address: string;
  port: number;
  /** PID of the process serving (the test process itself for the embedded server). */
  pid: number;
  stop(): Promise<void>;
}

export interface Target {
  name: 'gearmand' | 'embedded';
  /** false when available; otherwise a one-line reason for `{ skip }`. */
  skip: string | false;
  start(): Promise<RunningServer>;
}

const serverIndex = fileURLToPath(new URL('../../../src/server/index.ts', import.meta.url));

export const targets: Target[] = [
  {
    name: 'gearmand',
    skip: skipUnless('gearmand'),
    async start() {
      const g = await startGearmand();
      return { address: `127.0.0.1:${g.port}`, port: g.port, pid: g.process.pid ?? 0, stop: g.stop };
    },
  },
  {
    name: 'embedded',
    skip: existsSync(serverIndex) ? false : 'embedded server (src/server/index.ts) not written yet',
    async start() {
      const mod = (await import(serverIndex)) as {
        startJobServer(o: {
          host?: string;
          port?: number;
        }): Promise<{ port: number; address: string; close(): Promise<void> }>;
      };
      const s = await mod.startJobServer({ host: '127.0.0.1', port: 0 });
      return { address: s.address, port: s.port, pid: process.pid, stop: () => s.close() };
    },
  },
];
