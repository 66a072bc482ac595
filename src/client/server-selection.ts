// Which job server a submission goes to (pure, no I/O). `balanced`: a job with a unique goes to the server
// its unique hashes to (rendezvous hashing, so all clients with the same server list agree and coalescing
// works across servers), others round-robin; `ordered`: the first server in list order (primary/backup).

export type ServerSelection = 'balanced' | 'ordered';

export const SERVER_SELECTIONS: readonly ServerSelection[] = ['balanced', 'ordered'];

/** MurmurHash3 x86 32-bit of `bytes` with `seed`: a standard, documented hash any client can reproduce. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // The 1-3 trailing bytes, little-endian.
  const tail = n & 3;
  if (tail > 0) {
    let k = bytes[blocks]!;
    if (tail > 1) k |= bytes[blocks + 1]! << 8;
    if (tail > 2) k |= bytes[blocks + 2]! << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A server's hashing seed: murmur3 of its `host:port` text (as the client lists it) with seed 0. */
export function serverSeed(address: string): number {
  return murmur3(Buffer.from(address, 'utf8'), 0);
}

/**
 * What a job hashes on: its unique; for the unique `-` (the server coalesces on the payload) the payload.
 * undefined: the job has no unique, it is spread instead.
 */
export function hashKey(unique: string, payload: string | Uint8Array): Uint8Array | undefined {
  if (unique === '') return undefined;
  if (unique === '-') return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.from(unique, 'utf8');
}

/**
 * Rendezvous (highest random weight) order of the servers for `key`: each server scores
 * murmur3(key, seed of the server), the highest first, ties in list order. Adding or removing a server
 * moves only the keys that server wins or held (about 1/n of them); the rest of the order is the failover.
 */
export function rankServers(key: Uint8Array, seeds: readonly number[]): number[] {
  const scored = seeds.map((seed, index) => ({ index, score: murmur3(key, seed) }));
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.index);
}

/** The preference order of server indexes for one job; the caller skips servers it knows are down. */
export class ServerPicker {
  private readonly seeds: number[];
  /** List order, shared (not copied) by every job that uses it. */
  private readonly inListOrder: readonly number[];
  /** Next index for jobs without a unique. Starts at a random server so short-lived clients spread too. */
  private cursor: number;

  constructor(
    addresses: readonly string[],
    readonly selection: ServerSelection,
    random: () => number = Math.random,
  ) {
    this.seeds = addresses.map(serverSeed);
    this.inListOrder = listFrom(0, addresses.length);
    this.cursor = Math.floor(random() * addresses.length) % Math.max(1, addresses.length);
  }

  /** Every server index once, best first. */
  order(unique: string, payload: string | Uint8Array): readonly number[] {
    const n = this.seeds.length;
    if (this.selection === 'ordered' || n === 1) return this.inListOrder;
    const key = hashKey(unique, payload);
    if (key !== undefined) return rankServers(key, this.seeds);
    const start = this.cursor;
    this.cursor = (this.cursor + 1) % n;
    return listFrom(start, n);
  }

  /** Where a unique goes while every server is up (status lookups, tests, docs). */
  home(unique: string, payload: string | Uint8Array = ''): number {
    const key = hashKey(unique, payload);
    if (this.selection === 'ordered' || key === undefined) return 0;
    return rankServers(key, this.seeds)[0] ?? 0;
  }
}

function listFrom(start: number, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = (start + i) % n;
  return out;
}
