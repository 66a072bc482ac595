// The `logs:` block: rotation size and count, compression, line format and the per-file write buffer
// (docs/logs.md). Missing keys take LOG_DEFAULTS.

import { LOG_BUFFER_LIMITS, LOG_DEFAULTS, LOG_FORMATS, LOG_KEYS } from './defaults.js';
import { LOG_RULES, rangeOf } from './key-rules.js';
import type { LogSettings } from './types.js';
import type { Field, Reader } from './yaml-fields.js';

export function readLogSettings(reader: Reader, f: Field | undefined): LogSettings {
  const logs: LogSettings = { ...LOG_DEFAULTS };
  if (!f) return logs;
  const lf = reader.fields(f.node, f.path, LOG_KEYS, f.keyNode);
  if (!lf) return logs;
  logs.maxBytes = reader.sizeBytes(lf.get('max_size'), { allowZero: true }) ?? logs.maxBytes;
  const keep = rangeOf(LOG_RULES.keep);
  logs.keep = reader.integer(lf.get('keep'), keep.min, keep.max) ?? logs.keep;
  logs.compress = reader.bool(lf.get('compress')) ?? logs.compress;
  const format = lf.get('format');
  const formatText = reader.string(format);
  if (format && formatText !== undefined) {
    const known = LOG_FORMATS.find((x) => x === formatText);
    if (known) logs.format = known;
    else reader.issues.at(format.node ?? format.keyNode, format.path, `must be text or json, got ${formatText}`);
  }
  const buffer = lf.get('buffer');
  const bufferBytes = reader.sizeBytes(buffer);
  if (buffer && bufferBytes !== undefined) {
    const { minBytes, maxBytes } = LOG_BUFFER_LIMITS;
    if (bufferBytes < minBytes || bufferBytes > maxBytes)
      reader.issues.at(
        buffer.node ?? buffer.keyNode,
        buffer.path,
        `must be between 64KiB and 1GiB, got ${bufferBytes} bytes`,
      );
    else logs.bufferBytes = bufferBytes;
  }
  return logs;
}
