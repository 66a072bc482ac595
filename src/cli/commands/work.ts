// `gmsup work FUNCTION (--module FILE | --command "CMD ..." | -- CMD ARGS | --process "CMD {servers}")`:
// one worker in the foreground, the counterpart of `gearman -w`. First SIGINT/SIGTERM drains, second forces.

import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import { GmsupError } from '../../shared/errors.js';
import { formatHostPort, parseServerList } from '../../shared/host-port.js';
import type { WorkerKind, WorkerSpec } from '../../config/types.js';

const HELP = `Usage: gmsup work FUNCTION (--module FILE | --command "CMD ARGS" | --process "CMD {servers}" | -- CMD ARGS...)
  -s, --servers H:P,...     job servers (default 127.0.0.1:4730)
  -c, --concurrency N       jobs in flight at once (default 1)
  -t, --timeout MS          per-job time limit
      --max-jobs N          exit after N jobs
      --stop-timeout MS     time to finish in-flight jobs on stop (default 30000)
      --shell               run the command through /bin/sh -c
      --client-id ID        SET_CLIENT_ID value
      --exceptions          always report failures as WORK_EXCEPTION with the error text
      --no-exceptions       always report failures as plain WORK_FAIL
                            (default: exceptions on gmsup job servers, plain WORK_FAIL on others,
                            since gearmand 1.1.20 mangles exceptions for clients that did not ask)`;

/** Splits a command line on spaces, honouring '...' and "..." quotes and backslash escapes (no expansion). */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new GmsupError('USAGE', `unterminated ${quote} quote in command ${JSON.stringify(text)}`);
  if (inWord) out.push(cur);
  return out;
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
    command = shell ? [values.process] : splitCommand(values.process);
  } else if (values.command !== undefined) command = shell ? [values.command] : splitCommand(values.command);
  else command = rest;
  const servers = parseServerList(values.servers ?? '127.0.0.1:4730').map(formatHostPort);
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
    stopTimeoutMs: positiveInt(values['stop-timeout'], 'stop-timeout') ?? 30_000,
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
