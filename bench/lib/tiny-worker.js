// The tiny Node Gearman worker every process manager runs in the daemon benchmark: registers one
// function (BENCH_FUNCTION, default "benchfn") with GEARMAN_SERVER (host:port) under the client id
// "tiny:<pid>", and echoes jobs. Plain JS on GearmanConnection, so no manager pays for TypeScript.
import { GearmanConnection, PacketType } from '../../dist/transport/gearman-connection.js';
import { parseHostPort } from '../../dist/shared/host-port.js';

const fn = process.env.BENCH_FUNCTION ?? 'benchfn';
const server = parseHostPort(process.env.GEARMAN_SERVER ?? '127.0.0.1:4730');

async function main() {
  const conn = await GearmanConnection.connect(server);
  conn.send(PacketType.SET_CLIENT_ID, `tiny:${process.pid}`);
  conn.send(PacketType.CAN_DO, fn);
  conn.send(PacketType.GRAB_JOB_UNIQ);
  conn.on('packet', (p) => {
    if (p.type === PacketType.NO_JOB) conn.send(PacketType.PRE_SLEEP);
    else if (p.type === PacketType.NOOP) conn.send(PacketType.GRAB_JOB_UNIQ);
    else if (p.type === PacketType.JOB_ASSIGN_UNIQ) {
      conn.send(PacketType.WORK_COMPLETE, Buffer.from(p.args[0]), Buffer.from(p.args[3]));
      conn.send(PacketType.GRAB_JOB_UNIQ);
    }
  });
  conn.on('close', () => process.exit(1)); // the manager restarts us
}
process.on('SIGTERM', () => process.exit(0));
main().catch((err) => {
  console.error(`tiny-worker: ${err.message}`);
  process.exit(1);
});
