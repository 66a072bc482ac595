// Config problems with their place in the file (`file:line:col key.path: message`), collected so one
// run reports every problem at once. Pure: positions come from the YAML parser's ranges.

import type { LineCounter, Node } from 'yaml';

export interface ConfigIssue {
  /** The config file as the user named it. */
  file: string;
  /** 1-based; 0 when the problem has no place in the file (e.g. the file is missing). */
  line: number;
  col: number;
  /** Dotted key path such as `workers.reverse.per_core`; '' for YAML syntax errors. */
  path: string;
  message: string;
}

export class IssueList {
  readonly items: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  /** Record a problem at a node (its first character), or at the top of the file without one. */
  at(node: Pick<Node, 'range'> | null | undefined, path: string, message: string): void {
    const pos = this.position(node);
    this.items.push({ file: this.file, line: pos.line, col: pos.col, path, message });
  }

  position(node: Pick<Node, 'range'> | null | undefined): { line: number; col: number } {
    const offset = node?.range?.[0];
    return offset === undefined ? { line: 1, col: 1 } : this.lines.linePos(offset);
  }

  atOffset(offset: number, path: string, message: string): void {
    const pos = this.lines.linePos(offset);
    this.items.push({ file: this.file, line: pos.line, col: pos.col, path, message });
  }

  get count(): number {
    return this.items.length;
  }
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
  return i.path === '' ? `${where}: ${i.message}` : `${where} ${i.path}: ${i.message}`;
}

/** Sorted by position so the list reads top to bottom like the file. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}
