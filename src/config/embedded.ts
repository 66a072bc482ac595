// Binding a config to the embedded server's real address: with `listen: host:0` the loaded config
// says `host:0` wherever workers connect to it; the daemon calls this once the server is listening.

import type { HostPort } from '../shared/host-port.js';
import type { Config, ProgramConfig } from './types.js';
import { connectAddress } from './validate.js';

/**
 * A new frozen Config whose `host:0` server entries (the embedded server's placeholder) read the
 * bound port. Apply it to every loaded config (also on reload) so diffs compare like with like.
 * Returns `config` itself when there is nothing to substitute.
 */
export function bindEmbeddedServer(config: Config, bound: HostPort): Config {
  if (config.server?.port !== 0) return config;
  const placeholder = connectAddress(config.server);
  const real = connectAddress({ host: config.server.host, port: bound.port });
  const swap = (list: readonly string[]) => list.map((s) => (s === placeholder ? real : s));
  const programs: ProgramConfig[] = config.programs.map((p) =>
    Object.freeze({
      ...p,
      spec: Object.freeze({ ...p.spec, servers: Object.freeze(swap(p.spec.servers)) as string[] }),
    }),
  );
  return Object.freeze({
    ...config,
    servers: Object.freeze(swap(config.servers)) as string[],
    programs: Object.freeze(programs) as ProgramConfig[],
  });
}
