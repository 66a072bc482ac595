// A minimal Gearman worker speaking the raw protocol over GearmanConnection, for client tests before
// (and independently of) gmsup's worker runtime. Each job goes to `handle(job, reply)`, which sends
// WORK_* packets itself, so tests control exactly what the client sees.

import { GearmanConnection } from '../../../src/transport/gearman-connection.js';
import { packetArgs } from '../../../src/transport/packet-args.js';
import { PacketType } from '../../../src/protocol/packet-types.js';
import { parseHostPort } from '../../../src/shared/host-port.js';

export interface RawJob {
  handle: string;
  fn: string;
  unique: string;
  payload: Buffer;
}

export interface Reply {
  status(n: number, d: number): void;
  data(chunk: string | Buffer): void;
  warning(chunk: string | Buffer): void;
  complete(result: string | Buffer): void;
  fail(): void;
  exception(text: string): void;
}

export type RawHandler = (job: RawJob, reply: Reply) => void | Promise<void>;

export interface RawWorker {
  jobs: RawJob[];
  conn: GearmanConnection;
  close(): Promise<void>;
}

export async function startRawWorker(server: string, functions: string[], handle: RawHandler): Promise<RawWorker> {
  const conn = await GearmanConnection.connect(parseHostPort(server));
  const jobs: RawJob[] = [];
  const grab = () => conn.send(PacketType.GRAB_JOB_UNIQ);
  conn.on('packet', (p) => {
    if (p.type === PacketType.NOOP) grab();
    else if (p.type === PacketType.NO_JOB) conn.send(PacketType.PRE_SLEEP);
    else if (p.type === PacketType.JOB_ASSIGN_UNIQ) {
      const [handleArg, fnArg, uniqueArg, payloadArg] = packetArgs(p, 4);
      const job: RawJob = {
        handle: handleArg.toString('latin1'),
        fn: fnArg.toString(),
        unique: uniqueArg.toString(),
        payload: Buffer.from(payloadArg),
      };
      jobs.push(job);
      const h = job.handle;
      const reply: Reply = {
        status: (n, d) => conn.send(PacketType.WORK_STATUS, h, String(n), String(d)),
        data: (c) => conn.send(PacketType.WORK_DATA, h, c),
        warning: (c) => conn.send(PacketType.WORK_WARNING, h, c),
        complete: (r) => conn.send(PacketType.WORK_COMPLETE, h, r),
        fail: () => conn.send(PacketType.WORK_FAIL, h),
        exception: (t) => conn.send(PacketType.WORK_EXCEPTION, h, t),
      };
      Promise.resolve(handle(job, reply)).finally(grab);
    }
  });
  for (const fn of functions) conn.send(PacketType.CAN_DO, fn);
  grab();
  return { jobs, conn, close: () => conn.close() };
}
