// `gmsup describe [NAME] [FILE] [--json] [--names]`: one worker's resolved settings and, when a daemon
// runs, its live state (instances, pids, restarts, last exits, registration, jobs, queues). Without a
// daemon the settings come from the file; without NAME, one line per worker.

import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument } from 'yaml';
import { splitTrailingFile } from '../args.js';
import type { ParsedArgs } from '../command-table.js';
import { table } from '../status-text.js';
import { programSettings } from '../../config/describe.js';
import { loadConfig } from '../../config/load.js';
import type { ProgramConfig } from '../../config/types.js';
import { connectDaemon } from '../../control/connect.js';
import type { ControlClient } from '../../control/control-client.js';
import type { WorkerDescription } from '../../control/protocol.js';
import { GmsupError } from '../../shared/errors.js';
import { formatDuration } from '../../shared/format.js';

/** Worker names as written in the file, read leniently (for completion: a file being edited still lists). */
function namesInFile(file: string): string[] {
  try {
    const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: false });
    const workers = isMap(doc.contents) ? doc.contents.get('workers', true) : null;
    if (!isMap(workers)) return [];
    return workers.items.flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : []));
  } catch {
    return [];
  }
}

async function tryConnect(file: string): Promise<ControlClient | null> {
  try {
    return (await connectDaemon(file)).client;
  } catch (err) {
    if (err instanceof GmsupError && err.code === 'NO_DAEMON') return null;
    throw err;
  }
}

function fromFile(p: ProgramConfig): Omit<WorkerDescription, 'program' | 'instances' | 'queues'> {
  return { settings: programSettings(p), config: { ...p }, source: { ...p.source } };
}

function renderSettings(name: string, d: Pick<WorkerDescription, 'settings' | 'source'>, kind: string): string[] {
  const w = Math.max(...d.settings.map(([k]) => k.length));
  return [
    `worker ${name} (${kind} worker), ${d.source.file}:${d.source.line}:${d.source.col}`,
    ...d.settings.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
  ];
}

function renderState(d: WorkerDescription): string[] {
  const p = d.program;
  const notes = [p.scaled ? 'scaled at runtime' : '', p.stopped ? 'stopped by request' : ''].filter(Boolean);
  const lines = [
    '',
    `state: ${p.desired} instance(s) wanted (config ${p.configured})${notes.length ? `; ${notes.join('; ')}` : ''}`,
  ];
  const rows = d.instances.map((i) => [
    String(i.index),
    i.pid === null ? '-' : String(i.pid),
    i.state + (i.retiring ? ' (retiring)' : ''),
    formatDuration(i.uptimeMs),
    String(i.restarts),
    i.jobsFailed > 0 ? `${i.jobsDone}+${i.jobsFailed} failed` : String(i.jobsDone),
    formatDuration(i.currentJobAgeMs),
    `${i.registeredOn}/${i.serverCount}`,
    [i.lastExit, i.reason].filter(Boolean).join('; ') || '-',
  ]);
  const header = ['IDX', 'PID', 'STATE', 'UPTIME', 'RESTARTS', 'JOBS', 'JOB AGE', 'REGISTERED', 'LAST EXIT / REASON'];
  lines.push(
    ...table(header, rows)
      .split('\n')
      .map((l) => `  ${l}`),
    '',
    'queues:',
  );
  for (const q of d.queues) {
    if (!q.reachable) lines.push(`  ${q.server}  UNREACHABLE (${q.error ?? 'no answer'})`);
    else if (!q.queue) lines.push(`  ${q.server}  not known to the server yet`);
    else
      lines.push(
        `  ${q.server}  queued ${q.queue.queued}  running ${q.queue.running}  workers ${q.queue.availableWorkers}`,
      );
  }
  return lines;
}

export async function run(args: ParsedArgs<'describe'>): Promise<number> {
  const { words, file } = splitTrailingFile(args, 1);
  const name = words[0];
  if (args.values.names) {
    for (const n of namesInFile(file)) process.stdout.write(`${n}\n`);
    return 0;
  }
  const client = await tryConnect(file);
  try {
    if (name === undefined) return await list(file, client, args.values.json === true);
    if (client) {
      const d = await client.call('describe', { name });
      if (args.values.json) process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
      else process.stdout.write(`${[...renderSettings(name, d, d.program.kind), ...renderState(d)].join('\n')}\n`);
      return 0;
    }
    const config = await loadConfig(file);
    const p = config.programs.find((x) => x.name === name);
    if (!p)
      throw new GmsupError(
        'BAD_NAME',
        `no worker named ${JSON.stringify(name)} in ${file} (known: ${config.programs.map((x) => x.name).join(', ')})`,
      );
    const d = fromFile(p);
    if (args.values.json) process.stdout.write(`${JSON.stringify({ ...d, daemon: null }, null, 2)}\n`);
    else
      process.stdout.write(
        `${[...renderSettings(name, d, p.spec.kind), '', 'state: no daemon is running'].join('\n')}\n`,
      );
    return 0;
  } finally {
    client?.close();
  }
}

/** Without NAME: one line per worker (from the daemon when one runs, else from the file). */
async function list(file: string, client: ControlClient | null, json: boolean): Promise<number> {
  if (client) {
    const s = await client.call('status', {});
    const rows = s.programs.map((p) => {
      const mine = s.instances.filter((i) => i.name === p.name && !i.retiring);
      const running = mine.filter((i) => i.state === 'RUNNING').length;
      return { name: p.name, function: p.function, kind: p.kind, desired: p.desired, running, stopped: p.stopped };
    });
    if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      const body = rows.map((r) => [
        r.name,
        r.function,
        r.kind,
        `${r.running}/${r.desired} running${r.stopped ? ' (stopped)' : ''}`,
      ]);
      process.stdout.write(`${table(['NAME', 'FUNCTION', 'KIND', 'INSTANCES'], body)}\n`);
    }
    return 0;
  }
  const config = await loadConfig(file);
  const rows = config.programs.map((p) => ({
    name: p.name,
    function: p.spec.function,
    kind: p.spec.kind,
    instances: p.instances,
  }));
  if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else {
    const body = rows.map((r) => [r.name, r.function, r.kind, String(r.instances)]);
    process.stdout.write(`${table(['NAME', 'FUNCTION', 'KIND', 'INSTANCES'], body)}\n(no daemon is running)\n`);
  }
  return 0;
}
