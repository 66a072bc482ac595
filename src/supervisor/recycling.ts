// PURE recycling rule: when an instance has outgrown its program's max_memory or max_lifetime, and why.
// The caller replaces it (replacement first, program.ts); this only decides.

const MIB = 1024 * 1024;

export interface RecycleLimits {
  maxMemoryBytes: number | null;
  maxLifetimeMs: number | null;
}

/** The reason to recycle a RUNNING instance now, or null to keep it. */
export function recycleReason(
  limits: RecycleLimits,
  rssBytes: number | null,
  spawnedAtMs: number | null,
  now: number,
): string | null {
  const { maxMemoryBytes, maxLifetimeMs } = limits;
  if (maxMemoryBytes !== null && rssBytes !== null && rssBytes > maxMemoryBytes)
    return `max_memory: RSS ${Math.round(rssBytes / MIB)} MiB > ${Math.round(maxMemoryBytes / MIB)} MiB`;
  if (maxLifetimeMs !== null && spawnedAtMs !== null && now - spawnedAtMs > maxLifetimeMs)
    return `max_lifetime ${Math.round(maxLifetimeMs / 1000)} s reached`;
  return null;
}
