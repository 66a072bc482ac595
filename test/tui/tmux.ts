// A private tmux server for one test (its own -L socket, killed in t.after): start a command in a
// fixed-size window, send keys, capture the screen as text or with colours (SGR parsed to cells).

import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export class Tmux {
  private constructor(readonly socketName: string) {}

  /** Starts `command` (run by sh) in a detached session `width` x `height`; the server dies in t.after. */
  static start(t: TestContext, command: string, width: number, height: number, env: Record<string, string> = {}): Tmux {
    const tmux = new Tmux(`gmsup-tui-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    t.after(() => tmux.kill());
    const envArgs = Object.entries({ TERM: 'xterm-256color', LANG: 'C.UTF-8', ...env }).flatMap(([k, v]) => [
      '-e',
      `${k}=${v}`,
    ]);
    // Options first, command second: a command that ends at once must still leave its screen (and its
    // server) behind, so the pane starts idle, remain-on-exit is set, then the pane is respawned with it.
    tmux.run([
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(width),
      '-y',
      String(height),
      ...envArgs,
    ]);
    tmux.run(['set-option', '-t', 'main', 'remain-on-exit', 'on']);
    tmux.run(['respawn-pane', '-k', '-t', 'main', ...envArgs, command]);
    return tmux;
  }

  run(args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socketName, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0)
      throw new Error(`tmux ${args.join(' ')}: ${r.stderr || r.error?.message || `status ${r.status}`}`);
    return r.stdout;
  }

  /** The screen as plain text, one string per row. */
  capture(): string[] {
    return this.run(['capture-pane', '-p', '-t', 'main']).replace(/\n$/, '').split('\n');
  }

  /** The screen with SGR escapes (`capture-pane -e`), parsed into rows of (char, fg colour). */
  captureColours(): ColourRow[] {
    return this.run(['capture-pane', '-p', '-e', '-t', 'main']).replace(/\n$/, '').split('\n').map(parseSgrLine);
  }

  keys(...keys: string[]): void {
    this.run(['send-keys', '-t', 'main', ...keys]);
  }

  /** Literal text (no key-name lookup). */
  type(text: string): void {
    this.run(['send-keys', '-t', 'main', '-l', text]);
  }

  resize(width: number, height: number): void {
    this.run(['resize-window', '-t', 'main', '-x', String(width), '-y', String(height)]);
  }

  paneDead(): boolean {
    return this.run(['display-message', '-p', '-t', 'main', '#{pane_dead}']).trim() === '1';
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socketName, 'kill-server'], { stdio: 'ignore', timeout: 10_000 });
  }
}

export interface ColourRow {
  text: string;
  /** Foreground colour per character: 0-255, or null for the default. */
  fg: Array<number | null>;
}

export function parseSgrLine(raw: string): ColourRow {
  let text = '';
  const fg: Array<number | null> = [];
  let cur: number | null = null;
  const re = /\x1b\[([0-9;:]*)m|\x1b[()][0-9A-Za-z]|([\s\S])/gu;
  for (const m of raw.matchAll(re)) {
    if (m[2] !== undefined) {
      text += m[2];
      for (let i = 0; i < m[2].length; i++) fg.push(cur);
      continue;
    }
    if (m[1] === undefined) continue;
    const p = m[1] === '' ? [0] : m[1].split(/[;:]/).map(Number);
    for (let i = 0; i < p.length; i++) {
      const n = p[i]!; // i < p.length
      if (n === 0 || n === 39) cur = null;
      else if (n >= 30 && n <= 37) cur = n - 30;
      else if (n >= 90 && n <= 97) cur = n - 90 + 8;
      else if (n === 38 && p[i + 1] === 5) {
        cur = p[i + 2] ?? null; // 38;5;N: N is the 256-colour index (absent in a cut-off sequence)
        i += 2;
      } else if (n === 38 && p[i + 1] === 2) i += 4;
      else if (n === 48 && p[i + 1] === 5) i += 2;
      else if (n === 48 && p[i + 1] === 2) i += 4;
    }
  }
  return { text, fg };
}

/** Foreground colour at the first occurrence of `needle` in the row, undefined when absent. */
export function colourOf(row: ColourRow, needle: string): number | null | undefined {
  const i = row.text.indexOf(needle);
  return i < 0 ? undefined : row.fg[i];
}

export const RED = new Set([1, 9, 160, 196]);
