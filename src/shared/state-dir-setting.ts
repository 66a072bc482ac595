// Reads the one key a CLI command needs before it can talk to a daemon: the workers file's `state_dir`.
// Lenient on purpose: a file that is currently invalid (a typo elsewhere, being edited) must not hide
// where its running daemon lives, so only the top-level `state_dir` string is looked at.

import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument } from 'yaml';

/** The `state_dir` text of a workers file as written (unresolved), or undefined when absent/unreadable. */
export function readStateDirSetting(configFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch {
    return undefined; // a missing file has no setting; the command says what is wrong with it later
  }
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    if (!isMap(doc.contents)) return undefined;
    const node: unknown = doc.contents.get('state_dir', true);
    if (!isScalar(node)) return undefined;
    const value: unknown = node.value;
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
