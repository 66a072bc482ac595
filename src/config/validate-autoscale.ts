// Validation of a worker's `autoscale:` block into an AutoscaleConfig: min/max/target_wait/cooldown and
// the machine guard (max_load_per_core, min_free_memory; `false` turns either off). Problems go to the IssueList.

import { AUTOSCALE_DEFAULTS, AUTOSCALE_KEYS, LIMITS } from './defaults.js';
import type { AutoscaleConfig } from './types.js';
import type { Field, Reader } from './yaml-fields.js';

/** The block as an AutoscaleConfig, or null when it had problems (already recorded). */
export function readAutoscale(reader: Reader, f: Field): AutoscaleConfig | null {
  const issues = reader.issues;
  const before = issues.count;
  const fields = reader.fields(f.node, f.path, AUTOSCALE_KEYS, f.keyNode, 'a map like { min: 1, max: 8 }');
  if (!fields) return null;
  const maxField = fields.get('max');
  if (!maxField) issues.at(f.keyNode, `${f.path}.max`, 'autoscale needs max (the most instances it may run)');
  // min 0 is allowed: the worker then runs no process until jobs queue up for it.
  const minInstances = reader.integer(fields.get('min'), 0, LIMITS.maxInstances) ?? AUTOSCALE_DEFAULTS.min;
  const maxInstances = reader.integer(maxField, 1, LIMITS.maxInstances);
  if (maxInstances !== undefined && maxInstances < minInstances)
    issues.at(maxField!.node, maxField!.path, `must not be below min (${minInstances}), got ${maxInstances}`);
  const targetWaitMs =
    reader.durationMs(fields.get('target_wait'), { allowZero: false }) ?? AUTOSCALE_DEFAULTS.targetWaitMs;
  const cooldownField = fields.get('cooldown');
  const cooldownMs = reader.durationMs(cooldownField, { allowZero: false }) ?? AUTOSCALE_DEFAULTS.cooldownMs;
  if (cooldownField && cooldownMs > LIMITS.maxCooldownMs)
    issues.at(cooldownField.node, cooldownField.path, 'must be at most 1h');
  const loadField = fields.get('max_load_per_core');
  const maxLoadPerCore =
    loadField?.value === false
      ? null
      : (reader.positiveNumber(loadField, LIMITS.maxLoadPerCore) ?? AUTOSCALE_DEFAULTS.maxLoadPerCore);
  const memField = fields.get('min_free_memory');
  const minFreeMemoryBytes =
    memField?.value === false ? null : (reader.sizeBytes(memField) ?? AUTOSCALE_DEFAULTS.minFreeMemoryBytes);
  if (issues.count > before || maxInstances === undefined) return null;
  return { minInstances, maxInstances, targetWaitMs, cooldownMs, maxLoadPerCore, minFreeMemoryBytes };
}
