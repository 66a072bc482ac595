// The text admin protocol: splitting a command line into words the way gearmand 1.1.20 does, and
// parsing the list replies (`status`, `prioritystatus`, `workers`) that clients read, plus gmsup's
// `store` extension (its reply text both ways). Pure.

/** gearmand closes a connection that sends a line of this many words or more, without replying. */
export const MAX_ADMIN_WORDS = 5;

/**
 * Splits on spaces; runs of spaces are one separator, but a leading space yields an empty first
 * word (as in gearmand). Tabs are not separators. Returns null when the line has too many words.
 */
export function splitAdminLine(line: string): [string, ...string[]] | null {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  if (n === 0) return [''];
  if (line[0] === ' ') {
    words.push('');
    while (i < n && line[i] === ' ') i++;
  }
  while (i < n) {
    let j = i;
    while (j < n && line[j] !== ' ') j++;
    words.push(line.slice(i, j));
    if (words.length > MAX_ADMIN_WORDS) return null;
    while (j < n && line[j] === ' ') j++;
    i = j;
  }
  // At least one word: an empty or all-space line gave [''] above.
  return words as [string, ...string[]];
}

/** Bytes (latin1 chars) a text reply writes as \xHH: control characters and the escape's own backslash. */
const UNSAFE_FIELD = /[\x00-\x1f\x7f\\]/g;
/** The same, plus the space: for fields in space-separated lists (the functions of a `workers` line). */
const UNSAFE_LIST_ITEM = /[\x00-\x20\x7f\\]/g;

const hex = (ch: string) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * A peer-chosen name (function, client id, unique) as it may appear in a text admin reply: control bytes
 * and backslashes as \xHH, so a crafted name cannot forge lines or columns for scripts that parse
 * `status` or `workers`. Ordinary names come out unchanged. `inList`: also escape spaces.
 */
export function escapeAdminField(text: string, inList = false): string {
  return text.replace(inList ? UNSAFE_LIST_ITEM : UNSAFE_FIELD, hex);
}

/** Reverses escapeAdminField. */
export function unescapeAdminField(text: string): string {
  return text.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

export interface FunctionStatus {
  name: string;
  /** Queued plus running jobs. */
  total: number;
  running: number;
  availableWorkers: number;
}

export interface FunctionPriorityStatus {
  name: string;
  high: number;
  normal: number;
  low: number;
  availableWorkers: number;
}

export interface WorkerLine {
  fd: number;
  ip: string;
  clientId: string;
  functions: string[];
}

/** Lines of a list reply, without the terminating "." line. Throws when the terminator is missing. */
export function listLines(reply: string): string[] {
  const lines = reply.split('\n');
  const dot = lines.indexOf('.');
  if (dot < 0) throw new Error('admin reply is not terminated by a "." line');
  return lines.slice(0, dot);
}

function int(text: string, what: string): number {
  const n = Number.parseInt(text, 10);
  if (!Number.isFinite(n)) throw new Error(`admin reply: ${what} is not a number: ${JSON.stringify(text)}`);
  return n;
}

export function parseStatus(reply: string): FunctionStatus[] {
  return listLines(reply).map((line) => {
    const [name, total, running, workers, ...extra] = line.split('\t');
    if (workers === undefined || extra.length > 0) {
      throw new Error(`admin reply: bad status line ${JSON.stringify(line)}`);
    }
    return {
      name: name ?? '',
      total: int(total ?? '', 'total'),
      running: int(running ?? '', 'running'),
      availableWorkers: int(workers, 'workers'),
    };
  });
}

export function parsePriorityStatus(reply: string): FunctionPriorityStatus[] {
  return listLines(reply).map((line) => {
    const [name, high, normal, low, workers, ...extra] = line.split('\t');
    if (workers === undefined || extra.length > 0) {
      throw new Error(`admin reply: bad prioritystatus line ${JSON.stringify(line)}`);
    }
    return {
      name: name ?? '',
      high: int(high ?? '', 'high'),
      normal: int(normal ?? '', 'normal'),
      low: int(low ?? '', 'low'),
      availableWorkers: int(workers, 'workers'),
    };
  });
}

/** `FD IP CLIENTID : fn1 fn2` per connection. */
export function parseWorkers(reply: string): WorkerLine[] {
  return listLines(reply).map((line) => {
    const colon = line.indexOf(' :');
    if (colon < 0) throw new Error(`admin reply: bad workers line ${JSON.stringify(line)}`);
    const [fd, ip, ...clientId] = line.slice(0, colon).split(' ');
    if (fd === undefined || ip === undefined || clientId.length === 0) {
      throw new Error(`admin reply: bad workers line ${JSON.stringify(line)}`);
    }
    const rest = line.slice(colon + 2).trim();
    return {
      fd: int(fd, 'fd'),
      ip,
      clientId: clientId.join(' '),
      functions: rest === '' ? [] : rest.split(' '),
    };
  });
}

/** The job store's state, as gmsup's `store` admin command reports it (gearmand answers ERR UNKNOWN_COMMAND). */
export interface StoreStatus {
  /** The setting as shown: `memory`, `sqlite:/abs/path`, `postgres://user:***@host/db`. */
  store: string;
  /** `failing`: commits fail; background submissions get QUEUE_ERROR while a probe is retried. */
  state: 'ok' | 'failing';
  /** Unix ms since when in this state. */
  sinceMs: number;
  /** The last commit error while failing, else null. */
  error: string | null;
  /** Failed attempts in a row (0 when ok). */
  failedAttempts: number;
  /** New jobs and deletes accepted but not yet committed. */
  pendingWrites: number;
  /** Jobs read from the store at start, and how many of them were taken over from gearmand's table. */
  loadedJobs: number;
  takenOverJobs: number;
  /** How long loading took at start. */
  loadMs: number;
  committedBatches: number;
  failedCommits: number;
}

const STORE_FIELDS = [
  ['store', 'store'],
  ['state', 'state'],
  ['since_ms', 'sinceMs'],
  ['error', 'error'],
  ['failed_attempts', 'failedAttempts'],
  ['pending_writes', 'pendingWrites'],
  ['loaded_jobs', 'loadedJobs'],
  ['taken_over_jobs', 'takenOverJobs'],
  ['load_ms', 'loadMs'],
  ['committed_batches', 'committedBatches'],
  ['failed_commits', 'failedCommits'],
] as const;

/** `name<TAB>value` lines and a "." line; an absent error is `-`. */
export function formatStoreStatus(s: StoreStatus): string {
  let out = '';
  for (const [name, key] of STORE_FIELDS) {
    const v = s[key];
    out += `${name}\t${v === null ? '-' : String(v).replace(/\s+/g, ' ')}\n`;
  }
  return `${out}.\n`;
}

export function parseStoreStatus(reply: string): StoreStatus {
  const values = new Map<string, string>();
  for (const line of listLines(reply)) {
    const tab = line.indexOf('\t');
    if (tab > 0) values.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const get = (name: string): string => {
    const v = values.get(name);
    if (v === undefined) throw new Error(`admin reply: store status has no ${name} line`);
    return v;
  };
  const state = get('state');
  if (state !== 'ok' && state !== 'failing') throw new Error(`admin reply: bad store state ${JSON.stringify(state)}`);
  const error = get('error');
  return {
    store: get('store'),
    state,
    sinceMs: int(get('since_ms'), 'since_ms'),
    error: error === '-' ? null : error,
    failedAttempts: int(get('failed_attempts'), 'failed_attempts'),
    pendingWrites: int(get('pending_writes'), 'pending_writes'),
    loadedJobs: int(get('loaded_jobs'), 'loaded_jobs'),
    takenOverJobs: int(get('taken_over_jobs'), 'taken_over_jobs'),
    loadMs: int(get('load_ms'), 'load_ms'),
    committedBatches: int(get('committed_batches'), 'committed_batches'),
    failedCommits: int(get('failed_commits'), 'failed_commits'),
  };
}
