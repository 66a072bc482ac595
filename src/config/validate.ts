// The whole config file: YAML document -> frozen, fully defaulted Config, or the list of every problem.
// No I/O of its own: file checks go through FsPort, so it is testable on in-memory text.

import { dirname, join, resolve } from 'node:path';
import { isMap, isScalar, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import { chooseStateDir } from '../shared/state-dir.js';
import { GmsupError } from '../shared/errors.js';
import { formatHostPort, type HostPort, parseHostPort } from '../shared/host-port.js';
import { parseStoreUrl, type StoreSpec } from '../shared/store-url.js';
import { PROTOCOL_MAX_PACKET_BYTES } from '../protocol/codec.js';
import { DEFAULT_LISTEN, DEFAULT_STORE_FILE, SERVER_KEYS, TOP_LEVEL_KEYS } from './defaults.js';
import { processBudget } from './process-limit.js';
import { rangeOf, TOP_LEVEL_RULES } from './key-rules.js';
import { IssueList, type ConfigIssue } from './issues.js';
import type { Config, EmbeddedServerConfig, ProgramConfig } from './types.js';
import { readHttpSettings } from './http-settings.js';
import { readLogSettings } from './validate-logs.js';
import { readEnvFiles, validateWorker, type FsPort, type WorkerContext } from './validate-worker.js';
import { Reader, type Field } from './yaml-fields.js';
import { describe } from './units.js';
import { readKeepalive } from './keepalive.js';

export interface ValidateOptions {
  /** The file as the user named it (used in messages). */
  file: string;
  cpuCount: number;
  /** Memory the workers can use (total, or the cgroup limit): bounds the process count (process-limit.ts). */
  memoryBytes: number;
  fs: FsPort;
  /** $GMSUP_STATE_DIR: moves the state directory over the file's `state_dir`. */
  stateDirEnv?: string | undefined;
}

export type ValidateResult = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

export function validateDocument(doc: Document, lines: LineCounter, opts: ValidateOptions): ValidateResult {
  const issues = new IssueList(opts.file, lines);
  const fileAbs = resolve(opts.file);
  const dir = dirname(fileAbs);

  for (const err of doc.errors) {
    const pos = err.linePos?.[0];
    const first = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    issues.items.push({
      file: opts.file,
      line: pos?.line ?? 1,
      col: pos?.col ?? 1,
      path: '',
      message: `YAML: ${first}`,
    });
  }
  if (issues.count > 0) return { ok: false, issues: issues.items };

  const reader = new Reader(doc, issues);
  const root = reader.deref(doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) {
    issues.at(null, '', 'the file is empty; it needs at least a `workers:` map');
    return { ok: false, issues: issues.items };
  }
  const top = reader.fields(root, '', TOP_LEVEL_KEYS, root);
  if (!top) return { ok: false, issues: issues.items };

  const stateDirText = reader.string(top.get('state_dir'));
  // The same rule the CLI follows to find the daemon (shared/state-dir.ts).
  const stateDir = chooseStateDir(fileAbs, stateDirText, opts.stateDirEnv);
  const parseServers = (f: Field) => readServers(reader, f);
  const server = readEmbeddedServer(reader, top.get('server'), !top.has('servers'), dir, stateDir);
  const serversField = top.get('servers');
  let servers: string[];
  if (serversField) servers = parseServers(serversField) ?? [];
  else if (server) servers = [connectAddress(server)];
  else servers = [];

  const logs = readLogSettings(reader, top.get('logs'));
  const baseEnv = readEnvFiles({ reader, fs: opts.fs, dir }, top.get('env_file'));

  const programs: ProgramConfig[] = [];
  const workersField = top.get('workers');
  if (!workersField) issues.at(root, 'workers', 'missing: add a `workers:` map (worker name -> settings)');
  else if (
    workersField.node !== null &&
    !(isScalar(workersField.node) && workersField.node.value === null) &&
    !isMap(workersField.node)
  ) {
    issues.at(
      workersField.node,
      'workers',
      `expected a map of worker name -> settings, got ${describe(workersField.value)}`,
    );
  } else if (isMap(workersField.node)) {
    const ctx: WorkerContext = {
      reader,
      fs: opts.fs,
      file: opts.file,
      dir,
      cpuCount: opts.cpuCount,
      servers,
      parseServers,
      baseEnv,
    };
    const byFunction = new Map<string, string>();
    for (const pair of workersField.node.items as Pair<unknown, unknown>[]) {
      const keyNode = reader.deref(pair.key);
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        issues.at(keyNode ?? workersField.node, 'workers', 'worker names must be plain names');
        continue;
      }
      const name = String(keyNode.value);
      const program = validateWorker(ctx, name, keyNode, reader.deref(pair.value));
      if (!program) continue;
      const owner = byFunction.get(program.spec.function);
      if (owner !== undefined) {
        const fnNode = functionNode(reader, pair.value) ?? keyNode;
        issues.at(
          fnNode,
          `workers.${name}`,
          `function ${JSON.stringify(program.spec.function)} is already registered by worker ${owner}`,
        );
        continue;
      }
      byFunction.set(program.spec.function, name);
      programs.push(program);
    }
  }
  if (servers.length === 0 && programs.length > 0 && issues.count === 0) {
    issues.at(
      serversField?.node ?? root,
      'servers',
      'no job servers: list some under `servers:` or add a `server:` block',
    );
  }
  const maxProcessesField = top.get('max_processes');
  const maxRange = rangeOf(TOP_LEVEL_RULES.max_processes);
  const maxProcesses = reader.integer(maxProcessesField, maxRange.min, maxRange.max) ?? null;
  const budget = processBudget(programs, { cpuCount: opts.cpuCount, memoryBytes: opts.memoryBytes }, maxProcesses);
  if (budget.level === 'refuse' && issues.count === 0)
    issues.at(
      maxProcessesField?.node ?? workersField?.keyNode ?? root,
      maxProcessesField ? 'max_processes' : 'workers',
      budget.message ?? '',
    );
  if (issues.count > 0) return { ok: false, issues: issues.items };
  const warnings = budget.level === 'warn' && budget.message ? [budget.message] : [];
  const config: Config = { file: fileAbs, stateDir, servers, server, programs, logs, warnings };
  return { ok: true, config: deepFreeze(config) };
}

const MEMORY: StoreSpec = { kind: 'memory' };

/** `server:` block: absent = none (unless `servers` is absent too: then the default embedded server). */
function readEmbeddedServer(
  reader: Reader,
  f: Field | undefined,
  noServersKey: boolean,
  dir: string,
  stateDir: string,
): EmbeddedServerConfig | null {
  // The embedded server keeps background jobs in SQLite in the state directory unless `store:` says otherwise.
  const defaultStore = parseStoreUrl(`sqlite:${join(stateDir, DEFAULT_STORE_FILE)}`, dir);
  const fallback = { ...parseHostPort(DEFAULT_LISTEN), store: defaultStore.ok ? defaultStore.spec : MEMORY };
  if (!f) return noServersKey ? fallback : null;
  if (f.value === false) return null;
  if (f.value === null || f.value === true) return fallback; // `server:` with nothing = defaults
  const fields = reader.fields(f.node, f.path, SERVER_KEYS, f.keyNode);
  // keepalive absent: the server's defaults; given: resolved here (null = off) so a reload compares values.
  const keepalive = readKeepalive(reader, fields?.get('keepalive'));
  const http = readHttpSettings(reader, fields);
  const lf = fields?.get('listen');
  const listen = reader.string(lf);
  const hp =
    (listen === undefined ? undefined : parseAddress(reader, lf!, listen, true)) ?? parseHostPort(DEFAULT_LISTEN);
  const sf = fields?.get('store');
  const storeText = reader.string(sf);
  let store = fallback.store;
  if (storeText !== undefined) {
    // A relative sqlite path is relative to the workers file's directory.
    const parsed = parseStoreUrl(storeText, dir);
    if (parsed.ok) store = parsed.spec;
    else reader.issues.at(sf!.node ?? sf!.keyNode, sf!.path, parsed.message);
  }
  const maxPacketBytes = readMaxPacketSize(reader, fields?.get('max_packet_size'));
  return {
    ...hp,
    store,
    ...(keepalive === undefined ? {} : { keepalive }),
    ...(maxPacketBytes === undefined ? {} : { maxPacketBytes }),
    ...(http === undefined ? {} : { http }),
  };
}

/** Smaller than this, no useful packet fits (the CLI's --max-packet-size has the same floor). */
const MIN_MAX_PACKET_BYTES = 64;

/** `server.max_packet_size`: a size up to the protocol's uint32 limit (gearmand's), at least one header's worth. */
function readMaxPacketSize(reader: Reader, f: Field | undefined): number | undefined {
  const bytes = reader.sizeBytes(f);
  if (bytes === undefined || f === undefined) return undefined;
  if (bytes < MIN_MAX_PACKET_BYTES || bytes > PROTOCOL_MAX_PACKET_BYTES) {
    const range = `${MIN_MAX_PACKET_BYTES} and ${PROTOCOL_MAX_PACKET_BYTES} bytes (4GiB - 1, the protocol's limit)`;
    reader.issues.at(f.node ?? f.keyNode, f.path, `must be between ${range}, got ${bytes}`);
    return undefined;
  }
  return bytes;
}

/** Where workers connect to reach the embedded server: a wildcard listen address means loopback. */
export function connectAddress(server: HostPort): string {
  const host = server.host === '0.0.0.0' ? '127.0.0.1' : server.host === '::' ? '::1' : server.host;
  return formatHostPort({ host, port: server.port });
}

function readServers(reader: Reader, f: Field): string[] | undefined {
  const items = reader.stringList(f);
  if (!items) return undefined;
  const before = reader.issues.count;
  const out: string[] = [];
  for (const item of items) {
    for (const part of item.value.split(',')) {
      if (part.trim() === '') continue;
      const hp = parseAddress(reader, { ...f, node: item.node, path: item.path }, part, false);
      if (!hp) continue;
      const text = formatHostPort(hp);
      if (out.includes(text)) reader.issues.at(item.node, item.path, `server ${text} is listed twice`);
      else out.push(text);
    }
  }
  if (out.length === 0 && reader.issues.count === before)
    reader.issues.at(f.node ?? f.keyNode, f.path, 'lists no servers');
  return out;
}

function parseAddress(reader: Reader, f: Field, text: string, allowPortZero: boolean): HostPort | undefined {
  try {
    const hp = parseHostPort(text);
    if (hp.port === 0 && !allowPortZero)
      throw new GmsupError('USAGE', `port 0 in server address ${JSON.stringify(text)}: give the real port`);
    if (/\s/.test(hp.host)) throw new GmsupError('USAGE', `bad host in server address ${JSON.stringify(text)}`);
    return hp;
  } catch (err) {
    reader.issues.at(f.node ?? f.keyNode, f.path, (err as Error).message);
    return undefined;
  }
}

function functionNode(reader: Reader, value: unknown): Node | null {
  const node = reader.deref(value);
  if (!isMap(node)) return null;
  const pair = (node.items as Pair<unknown, unknown>[]).find((p) => isScalar(p.key) && p.key.value === 'function');
  return pair ? reader.deref(pair.value) : null;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
