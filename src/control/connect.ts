// Finds and connects to the daemon of a config file (the CLI commands' shared first step).

import { ControlClient } from './control-client.js';
import { controlSocketPath, resolveConfigFile, stateDirFor } from '../shared/state-dir.js';

export async function connectDaemon(
  file: string | undefined,
  timeoutMs = 2000,
): Promise<{ client: ControlClient; configFile: string }> {
  const configFile = resolveConfigFile(file);
  const client = await ControlClient.connect(controlSocketPath(stateDirFor(configFile)), timeoutMs);
  return { client, configFile };
}

/** Runs one call against the daemon and closes the connection. */
export async function withDaemon<T>(file: string | undefined, fn: (c: ControlClient) => Promise<T>): Promise<T> {
  const { client } = await connectDaemon(file);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
