// Validation and normalisation of one `workers.<name>` entry into a ProgramConfig. File checks go
// through the `FsPort` so tests and callers decide what exists; every problem goes to the IssueList.

import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, type Node, type Scalar } from 'yaml';
import { splitCommand } from '../shared/split-command.js';
import { isModuleFile, MODULE_EXTENSIONS } from '../worker/module-files.js';
import type { WorkerKind, WorkerSpec } from '../worker/spec.js';
import { LIMITS, RESTART_DEFAULTS, RESTART_KEYS, WORKER_DEFAULTS, WORKER_KEYS } from './defaults.js';
import type { Field, Reader } from './yaml-fields.js';
import type { ProgramConfig, RestartPolicy } from './types.js';
import { describe, parseDurationMs } from './units.js';
import { readKeepalive } from './keepalive.js';
import { readAutoscale } from './validate-autoscale.js';

export interface FsPort {
  isFile(path: string): boolean;
  isDir(path: string): boolean;
  /** Whether `name` (no slash) is an executable on this PATH. */
  onPath(name: string, pathVar: string): boolean;
}

export interface WorkerContext {
  reader: Reader;
  fs: FsPort;
  file: string;
  dir: string;
  cpuCount: number;
  /** The top-level servers, used when the worker has no `servers` of its own. */
  servers: string[];
  parseServers(f: Field): string[] | undefined;
}

const KINDS: WorkerKind[] = ['module', 'command', 'process'];
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Returns a ProgramConfig, or null when this entry had problems (already recorded). */
export function validateWorker(
  ctx: WorkerContext,
  name: string,
  keyNode: Scalar,
  valueNode: Node | null,
): ProgramConfig | null {
  const { reader, fs } = ctx;
  const issues = reader.issues;
  const before = issues.count;
  const path = `workers.${name}`;
  if (!NAME_RE.test(name)) {
    issues.at(
      keyNode,
      path,
      'worker names may use letters, digits, _ . - (they name log files); set `function:` for any other function name',
    );
  }
  const empty = valueNode === null || (isScalar(valueNode) && valueNode.value === null);
  if (empty || !isMap(valueNode)) {
    if (empty) issues.at(keyNode, path, 'needs one of module, command or process');
    else issues.at(valueNode, path, `expected a map of settings, got ${describe(reader.valueOf(valueNode))}`);
    return null;
  }
  const f = reader.fields(valueNode, path, WORKER_KEYS, keyNode)!;

  // Admin text lines are space-separated, so a function name with spaces would garble `status`.
  const fnField = f.get('function');
  const fn = reader.string(fnField) ?? name;
  if (fnField && /[\s\x00-\x1f\x7f]/.test(fn))
    issues.at(fnField.node, fnField.path, 'function names must not contain spaces or control characters');

  // Exactly one of module / command / process.
  const kindFields = KINDS.filter((k) => f.has(k));
  if (kindFields.length === 0) issues.at(keyNode, path, 'needs one of module, command or process');
  if (kindFields.length > 1) {
    const second = f.get(kindFields[1]!)!;
    issues.at(
      second.keyNode,
      second.path,
      `use only one of module, command or process (found ${kindFields.join(' and ')})`,
    );
  }
  const kind: WorkerKind = kindFields[0] ?? 'module';

  const cwdField = f.get('cwd');
  let cwd = ctx.dir;
  const cwdText = reader.string(cwdField);
  if (cwdText !== undefined) {
    cwd = resolve(ctx.dir, cwdText);
    if (!fs.isDir(cwd)) issues.at(cwdField!.node, cwdField!.path, `directory not found: ${cwd}`);
  }

  const envField = f.get('env');
  const env = readEnv(reader, envField);

  let modulePath: string | undefined;
  let command: string[] | undefined;
  const shellField = f.get('shell');
  const shell = reader.bool(shellField) ?? false;
  if (shellField && kind === 'module')
    issues.at(shellField.keyNode, shellField.path, 'shell applies only to command and process workers');

  if (kindFields.length === 1 && kind === 'module') {
    const mf = f.get('module')!;
    const m = reader.string(mf);
    if (m !== undefined) {
      modulePath = resolve(ctx.dir, m);
      if (!isModuleFile(modulePath)) {
        issues.at(mf.node, mf.path, `module must be a ${MODULE_EXTENSIONS.join(', ')} file, got ${JSON.stringify(m)}`);
      } else if (!fs.isFile(modulePath)) issues.at(mf.node, mf.path, `module file not found: ${modulePath}`);
    }
  } else if (kindFields.length === 1) {
    command = readCommand(ctx, f.get(kind)!, shell, shellField, cwd, env.PATH);
  }

  // Instance count: per_core x CPUs (rounded up, at least 1) or instances, never both; or autoscale.
  const perCoreField = f.get('per_core');
  const instancesField = f.get('instances');
  const autoscaleField = f.get('autoscale');
  for (const fixed of autoscaleField ? [perCoreField, instancesField] : [])
    if (fixed) issues.at(fixed.keyNode, fixed.path, `use either autoscale or ${fixed.key}, not both`);
  if (autoscaleField && kind === 'process')
    issues.at(
      autoscaleField.keyNode,
      autoscaleField.path,
      'autoscale needs the job reports of module and command workers (a process worker runs its jobs unseen)',
    );
  if (perCoreField && instancesField) {
    const later = perCoreField.keyNode.range![0] > instancesField.keyNode.range![0] ? perCoreField : instancesField;
    issues.at(later.keyNode, later.path, 'use either per_core or instances, not both');
  }
  const perCore = reader.positiveNumber(perCoreField, LIMITS.maxPerCore) ?? null;
  let instances = reader.integer(instancesField, 1, LIMITS.maxInstances) ?? WORKER_DEFAULTS.instances;
  if (perCore !== null && !instancesField) {
    instances = Math.max(1, Math.ceil(perCore * ctx.cpuCount - 1e-9));
    if (instances > LIMITS.maxInstances)
      issues.at(
        perCoreField!.node,
        perCoreField!.path,
        `gives ${instances} instances on ${ctx.cpuCount} CPUs, more than ${LIMITS.maxInstances}`,
      );
  }

  const autoscale = autoscaleField ? readAutoscale(reader, autoscaleField) : null;
  if (autoscale) instances = autoscale.minInstances; // the start count; the autoscaler takes it from there

  // Keys gmsup can only honour when it runs the jobs itself.
  if (kind === 'process') {
    for (const key of ['concurrency', 'timeout', 'max_jobs', 'exceptions', 'keepalive'] as const) {
      const kf = f.get(key);
      if (kf)
        issues.at(
          kf.keyNode,
          kf.path,
          `${key} does not apply to process workers (the process talks to the job server itself)`,
        );
    }
  }
  const concurrency = reader.integer(f.get('concurrency'), 1, LIMITS.maxConcurrency) ?? WORKER_DEFAULTS.concurrency;
  const timeoutMs = reader.durationMs(f.get('timeout'), { allowZero: false }) ?? WORKER_DEFAULTS.timeoutMs;
  const maxJobs = reader.integer(f.get('max_jobs'), 1, Number.MAX_SAFE_INTEGER) ?? WORKER_DEFAULTS.maxJobs;
  const maxMemoryBytes = reader.sizeBytes(f.get('max_memory')) ?? WORKER_DEFAULTS.maxMemoryBytes;
  const maxLifetimeMs = reader.durationMs(f.get('max_lifetime'), { allowZero: false }) ?? WORKER_DEFAULTS.maxLifetimeMs;
  const stopTimeoutMs = reader.durationMs(f.get('stop_timeout'), { allowZero: true }) ?? WORKER_DEFAULTS.stopTimeoutMs;
  const serversField = f.get('servers');
  const servers = serversField ? (ctx.parseServers(serversField) ?? []) : ctx.servers;
  const restart = readRestart(reader, f.get('restart'));
  const exceptionsField = f.get('exceptions');
  const exceptions = exceptionsField?.value === 'auto' ? undefined : reader.bool(exceptionsField);
  const keepalive = readKeepalive(reader, f.get('keepalive'));

  if (issues.count > before) return null;
  const pos = issues.position(keyNode);
  const spec: WorkerSpec = {
    name,
    function: fn,
    kind,
    modulePath,
    command,
    shell,
    servers: [...servers],
    concurrency,
    timeoutMs,
    env,
    cwd,
    maxJobs,
    stopTimeoutMs,
    ...(exceptions === undefined ? {} : { exceptions }),
    // null (off) travels as false: the spec is JSON over IPC, and absent means the defaults.
    ...(keepalive === undefined ? {} : { keepalive: keepalive ?? false }),
  };
  return {
    name,
    spec,
    instances,
    perCore,
    autoscale,
    maxMemoryBytes,
    maxLifetimeMs,
    restart,
    source: { file: ctx.file, line: pos.line, col: pos.col },
  };
}

function readEnv(reader: Reader, f: Field | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (!f) return env;
  const fields = reader.fields(f.node, f.path, [], f.keyNode, 'a map of NAME: value');
  for (const [key, ef] of fields ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      reader.issues.at(ef.keyNode, ef.path, 'environment variable names use letters, digits and _');
    else if (['string', 'number', 'boolean'].includes(typeof ef.value)) env[key] = String(ef.value);
    else reader.issues.at(ef.node ?? ef.keyNode, ef.path, `expected a string, got ${describe(ef.value)}`);
  }
  return env;
}

function readCommand(
  ctx: WorkerContext,
  f: Field,
  shell: boolean,
  shellField: Field | undefined,
  cwd: string,
  envPath: string | undefined,
): string[] | undefined {
  const { reader } = ctx;
  if (typeof f.value === 'string') {
    if (f.value.trim() === '') return void reader.issues.at(f.node ?? f.keyNode, f.path, 'must not be empty');
    if (shell) return [f.value]; // run by /bin/sh -c as written; nothing to check
    const split = splitCommand(f.value);
    if (!split.ok) return void reader.issues.at(f.node, f.path, `cannot split command: ${split.message}`);
    return checkProgram(ctx, f, split.argv, cwd, envPath);
  }
  const items = reader.stringList(f);
  if (!items) return undefined;
  if (items.length === 0) return void reader.issues.at(f.node, f.path, 'must not be empty');
  if (shell)
    return void reader.issues.at(
      shellField!.node,
      shellField!.path,
      `shell: true needs ${f.key} as one string, not a list`,
    );
  return checkProgram(
    ctx,
    f,
    items.map((i) => i.value),
    cwd,
    envPath,
  );
}

/** argv[0] with a slash resolves against the worker's cwd (as a shell would); a bare name must be on PATH. */
function checkProgram(
  ctx: WorkerContext,
  f: Field,
  argv: string[],
  cwd: string,
  envPath: string | undefined,
): string[] | undefined {
  const program = argv[0]!;
  if (program.includes('/')) {
    const abs = isAbsolute(program) ? program : resolve(cwd, program);
    if (!ctx.fs.isFile(abs)) return void ctx.reader.issues.at(f.node, f.path, `program not found: ${abs}`);
    return [abs, ...argv.slice(1)];
  }
  const pathVar = envPath ?? process.env.PATH ?? '';
  if (!ctx.fs.onPath(program, pathVar))
    return void ctx.reader.issues.at(f.node, f.path, `command not found on PATH: ${program}`);
  return argv;
}

function readRestart(reader: Reader, f: Field | undefined): RestartPolicy {
  const policy: RestartPolicy = { ...RESTART_DEFAULTS };
  if (!f) return policy;
  const fields = reader.fields(f.node, f.path, RESTART_KEYS, f.keyNode);
  if (!fields) return policy;
  const initial = reader.durationMs(fields.get('initial_backoff'), { allowZero: false });
  const max = reader.durationMs(fields.get('max_backoff'), { allowZero: false });
  policy.initialBackoffMs = initial ?? policy.initialBackoffMs;
  policy.maxBackoffMs = max ?? Math.max(policy.maxBackoffMs, policy.initialBackoffMs);
  if (policy.maxBackoffMs < policy.initialBackoffMs) {
    const blame = fields.get('max_backoff') ?? fields.get('initial_backoff')!;
    reader.issues.at(blame.node, blame.path, 'max_backoff must not be shorter than initial_backoff');
  }
  policy.startRetries = reader.integer(fields.get('retries'), 0, LIMITS.maxRetries) ?? policy.startRetries;
  // start_seconds: a bare number is seconds (the key says so); strings are durations.
  const ss = fields.get('start_seconds');
  if (ss) {
    if (typeof ss.value === 'number') {
      if (!Number.isFinite(ss.value) || ss.value < 0)
        reader.issues.at(ss.node, ss.path, `must not be negative, got ${ss.value}`);
      else policy.startSecsMs = Math.round(ss.value * 1000);
    } else {
      const r = parseDurationMs(ss.value);
      if (r.ok) policy.startSecsMs = r.value;
      else reader.issues.at(ss.node ?? ss.keyNode, ss.path, r.message);
    }
  }
  return policy;
}
