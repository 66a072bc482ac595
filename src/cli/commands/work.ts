// `gmsup work FUNCTION (--module FILE | --command "CMD ..." | -- CMD ARGS | --process "CMD {servers}")`:
// one worker in the foreground, the counterpart of `gearman -w`. First SIGINT/SIGTERM drains, second forces.

import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import { GmsupError } from '../../shared/errors.js';
import { DEFAULT_SERVER_ADDRESS, formatHostPort, parseServerList } from '../../shared/host-port.js';
import { splitCommand } from '../../shared/split-command.js';
import { WORKER_DEFAULTS } from '../../config/defaults.js';
import type { WorkerKind, WorkerSpec } from '../../worker/spec.js';
import { parseKeepaliveText } from '../../config/keepalive.js';

const USAGE =
  'Usage: gmsup work FUNCTION (--module FILE | --command "CMD ARGS" | --process "CMD {servers}" | -- CMD ARGS...)';
const HELP = `${USAGE}
  -s, --servers H:P,...     job servers (default ${DEFAULT_SERVER_ADDRESS})
  -c, --concurrency N       jobs in flight at once (default 1)
  -t, --timeout MS          per-job time limit
      --max-jobs N          exit after N jobs
      --stop-timeout MS     time to finish in-flight jobs on stop (default ${WORKER_DEFAULTS.stopTimeoutMs})
      --shell               run the command through /bin/sh -c
      --client-id ID        SET_CLIENT_ID value
      --keepalive SPEC      TCP keepalive to the job servers: idle=10s,interval=2s,count=3 (the default;
                            a vanished server is noticed within idle + interval x count) or off
      --exceptions          always report failures as WORK_EXCEPTION with the error text
      --no-exceptions       always report failures as plain WORK_FAIL
                            (default: exceptions on gmsup job servers, plain WORK_FAIL on others,
                            since gearmand 1.1.20 mangles exceptions for clients that did not ask)`;

/** The command text split as the workers file's `command:` is (one splitter for both). */
function splitCommandOption(text: string, option: string): string[] {
  const split = splitCommand(text);
  if (!split.ok) throw new GmsupError('USAGE', `--${option}: cannot split ${JSON.stringify(text)}: ${split.message}`);
  return split.argv;
}

function positiveInt(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new GmsupError('USAGE', `--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

export interface WorkArgs {
  spec: WorkerSpec;
  clientId?: string;
  sendExceptions: boolean | undefined;
}

export function parseWorkArgs(argv: string[]): WorkArgs {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      module: { type: 'string', short: 'm' },
      command: { type: 'string' },
      process: { type: 'string' },
      shell: { type: 'boolean' },
      servers: { type: 'string', short: 's' },
      concurrency: { type: 'string', short: 'c' },
      timeout: { type: 'string', short: 't' },
      'max-jobs': { type: 'string' },
      'stop-timeout': { type: 'string' },
      'client-id': { type: 'string' },
      'no-exceptions': { type: 'boolean' },
      exceptions: { type: 'boolean' },
      keepalive: { type: 'string' },
    },
    HELP,
  );
  const [fn, ...rest] = positionals;
  if (!fn) throw new GmsupError('USAGE', `missing FUNCTION\n${HELP}`);
  const chosen = [values.module, values.command, values.process, rest.length > 0 ? 'argv' : undefined].filter(
    (v) => v !== undefined,
  );
  if (chosen.length !== 1)
    throw new GmsupError('USAGE', `give exactly one of --module, --command, --process or -- CMD ARGS\n${HELP}`);
  const shell = values.shell ?? false;
  let kind: WorkerKind = 'command';
  let command: string[] | undefined;
  if (values.module !== undefined) kind = 'module';
  else if (values.process !== undefined) {
    kind = 'process';
    command = shell ? [values.process] : splitCommandOption(values.process, 'process');
  } else if (values.command !== undefined)
    command = shell ? [values.command] : splitCommandOption(values.command, 'command');
  else command = rest;
  const servers = parseServerList(values.servers ?? DEFAULT_SERVER_ADDRESS).map(formatHostPort);
  const spec: WorkerSpec = {
    name: fn,
    function: fn,
    kind,
    modulePath: values.module !== undefined ? resolve(values.module) : undefined,
    command,
    shell,
    servers,
    concurrency: positiveInt(values.concurrency, 'concurrency') ?? 1,
    timeoutMs: positiveInt(values.timeout, 'timeout'),
    env: {},
    cwd: process.cwd(),
    maxJobs: positiveInt(values['max-jobs'], 'max-jobs'),
    stopTimeoutMs: positiveInt(values['stop-timeout'], 'stop-timeout') ?? WORKER_DEFAULTS.stopTimeoutMs,
    ...(values.keepalive !== undefined ? { keepalive: parseKeepaliveText(values.keepalive) ?? false } : {}),
  };
  const sendExceptions = values['no-exceptions'] ? false : values.exceptions ? true : undefined;
  return { spec, clientId: values['client-id'], sendExceptions };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { spec, clientId, sendExceptions } = parseWorkArgs(argv);
  const { runWorker } = await import('../../worker/index.js');
  const log = (line: string) => process.stderr.write(`gmsup work: ${line}\n`);
  const handle = await runWorker(spec, {
    clientId,
    sendExceptions,
    log,
    onEvent: (msg) => {
      if (msg.type === 'server:state')
        log(`${msg.server} ${msg.connected ? 'registered' : `down${msg.error ? `: ${msg.error}` : ''}`}`);
    },
  });
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      log('stopping: finishing jobs in flight (signal again to abandon them)');
      void handle.stop('stopped');
    } else void handle.force();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await handle.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (result.abandonedJobs > 0) log(`${result.abandonedJobs} job(s) abandoned (the job server re-queues them)`);
  if (result.reason !== 'error') return 0;
  return result.exit ? (result.exit.code ?? 1) : 1;
}
