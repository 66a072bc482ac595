// Typed reading of YAML map fields with positions: each accessor either returns a value or records an
// issue at the offending node. Used by the validators; knows nothing about gmsup's keys.

import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { IssueList } from './issues.js';
import { suggestKey } from './suggest.js';
import { describe, parseDurationMs, parseSizeBytes } from './units.js';

export interface Field {
  key: string;
  path: string;
  keyNode: Scalar;
  /** The value node after alias resolution; null when the key has no value (`key:`). */
  node: Node | null;
  value: unknown;
}

export class Reader {
  constructor(
    readonly doc: Document,
    readonly issues: IssueList,
  ) {}

  deref(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node as Node;
  }

  valueOf(node: Node | null): unknown {
    if (node === null) return null;
    if (isScalar(node)) return node.value;
    // Collections are read through their nodes; only their shape matters here (for messages).
    if (isSeq(node)) return node.items.map((i) => this.valueOf(this.deref(i)));
    return {};
  }

  /**
   * The fields of a map, checking each key against `known` ("did you mean"). `where` is the node to
   * blame when `node` is not a map at all (e.g. the key of the entry).
   */
  fields(
    node: Node | null,
    path: string,
    known: readonly string[],
    where: Node | null,
    expected = 'a map of settings',
  ): Map<string, Field> | null {
    if (!isMap(node)) {
      this.issues.at(node ?? where, path, `expected ${expected}, got ${describe(this.valueOf(node))}`);
      return null;
    }
    const out = new Map<string, Field>();
    for (const pair of this.pairsWithMerges(node)) {
      const keyNode = this.deref(pair.key);
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        this.issues.at(keyNode ?? node, path, 'keys must be plain names');
        continue;
      }
      const key = String(keyNode.value);
      const fieldPath = path === '' ? key : `${path}.${key}`;
      // `x-` keys are ignored (as in Compose files): a place to define YAML anchors for reuse.
      if (known.length > 0 && key.startsWith('x-')) continue;
      if (known.length > 0 && !known.includes(key)) {
        const guess = suggestKey(key, known);
        this.issues.at(
          keyNode,
          fieldPath,
          `unknown key${guess ? `; did you mean ${guess}?` : ` (known keys: ${known.join(', ')})`}`,
        );
        continue;
      }
      if (out.has(key)) continue; // an explicit key wins over one merged in with `<<`
      const valueNode = this.deref(pair.value);
      out.set(key, {
        key,
        path: fieldPath,
        keyNode: keyNode as Scalar,
        node: valueNode,
        value: this.valueOf(valueNode),
      });
    }
    return out;
  }

  /**
   * The map's own pairs first, then those merged in by `<<: *anchor` (or a list of anchors), so that
   * explicit keys take precedence. Bounded: merges nest at most a few levels in practice, and the
   * `seen` set stops alias cycles.
   */
  private pairsWithMerges(node: YAMLMap, seen = new Set<YAMLMap>()): Pair<unknown, unknown>[] {
    seen.add(node);
    const own: Pair<unknown, unknown>[] = [];
    const merged: Pair<unknown, unknown>[] = [];
    for (const pair of node.items as Pair<unknown, unknown>[]) {
      const k = this.deref(pair.key);
      // With `merge: true` the parser gives a plain `<<` key the value Symbol(<<) ("<<" quoted stays a string).
      if (!(isScalar(k) && typeof k.value === 'symbol')) {
        own.push(pair);
        continue;
      }
      const v = this.deref(pair.value);
      const sources = isSeq(v) ? v.items.map((i) => this.deref(i)) : [v];
      for (const src of sources) {
        if (isMap(src) && !seen.has(src)) merged.push(...this.pairsWithMerges(src, seen));
        else if (!isMap(src))
          this.issues.at(src ?? k, '<<', 'a merge key needs a map or a list of maps (e.g. `<<: *defaults`)');
      }
    }
    return [...own, ...merged];
  }

  private fail(f: Field, message: string): undefined {
    this.issues.at(f.node ?? f.keyNode, f.path, message);
    return undefined;
  }

  string(f: Field | undefined, opts: { nonEmpty?: boolean } = {}): string | undefined {
    if (!f) return undefined;
    if (typeof f.value !== 'string') return this.fail(f, `expected a string, got ${describe(f.value)}`);
    if (opts.nonEmpty !== false && f.value.trim() === '') return this.fail(f, 'must not be empty');
    return f.value;
  }

  bool(f: Field | undefined): boolean | undefined {
    if (!f) return undefined;
    if (typeof f.value !== 'boolean') return this.fail(f, `expected true or false, got ${describe(f.value)}`);
    return f.value;
  }

  integer(f: Field | undefined, min: number, max: number): number | undefined {
    if (!f) return undefined;
    const v = f.value;
    if (typeof v !== 'number' || !Number.isInteger(v))
      return this.fail(f, `expected a whole number, got ${describe(v)}`);
    if (v < min) return this.fail(f, min === 1 ? `must be at least 1, got ${v}` : `must be at least ${min}, got ${v}`);
    if (v > max) return this.fail(f, `must be at most ${max}, got ${v}`);
    return v;
  }

  positiveNumber(f: Field | undefined, max: number): number | undefined {
    if (!f) return undefined;
    const v = f.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(f, `expected a number, got ${describe(v)}`);
    if (v <= 0) return this.fail(f, `must be greater than 0, got ${v}`);
    if (v > max) return this.fail(f, `must be at most ${max}, got ${v}`);
    return v;
  }

  durationMs(f: Field | undefined, opts: { allowZero: boolean }): number | undefined {
    if (!f) return undefined;
    const r = parseDurationMs(f.value);
    if (!r.ok) return this.fail(f, r.message);
    if (!opts.allowZero && r.value === 0) return this.fail(f, 'must be longer than 0');
    return r.value;
  }

  sizeBytes(f: Field | undefined, opts: { allowZero?: boolean } = {}): number | undefined {
    if (!f) return undefined;
    const r = parseSizeBytes(f.value);
    if (!r.ok) return this.fail(f, r.message);
    if (r.value === 0 && !opts.allowZero) return this.fail(f, 'must be greater than 0');
    return r.value;
  }

  /** A list of strings, or one string; returns the items with their nodes and paths (`key[i]`). */
  stringList(f: Field | undefined): { value: string; node: Node; path: string }[] | undefined {
    if (!f) return undefined;
    if (typeof f.value === 'string' && f.node) return [{ value: f.value, node: f.node, path: f.path }];
    if (!isSeq(f.node)) return this.fail(f, `expected a string or a list of strings, got ${describe(f.value)}`);
    const out: { value: string; node: Node; path: string }[] = [];
    let ok = true;
    f.node.items.forEach((item, i) => {
      const n = this.deref(item);
      const v = this.valueOf(n);
      if (typeof v !== 'string' && typeof v !== 'number') {
        this.issues.at(n ?? f.node, `${f.path}[${i}]`, `expected a string, got ${describe(v)}`);
        ok = false;
      } else out.push({ value: String(v), node: n as Node, path: `${f.path}[${i}]` });
    });
    return ok ? out : undefined;
  }
}
