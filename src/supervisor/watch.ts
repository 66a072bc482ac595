// Watches the config file and the module files of module workers (chokidar, no globs) and reports a
// debounced change per file. Editors that save by rename are handled by chokidar's `atomic` mode.

import { watch, type FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

const DEBOUNCE_MS = 300;

export class ConfigWatcher {
  private watcher: FSWatcher | null = null;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private files: Set<string>;
  private closed = false;
  /** File identities when the watcher was made: a change before chokidar is ready is caught by comparing. */
  private readonly baseline = new Map<string, string>();

  /** `onChange('config')` for the config file, `onChange(path)` for a module file. */
  constructor(
    private readonly configFile: string,
    files: string[],
    private readonly onChange: (what: string) => void,
  ) {
    this.files = new Set(files.map((f) => resolve(f)));
    for (const f of [configFile, ...this.files]) this.baseline.set(resolve(f), identity(f));
  }

  start(): void {
    if (this.closed) return;
    this.watcher = watch([this.configFile, ...this.files], { ignoreInitial: true, atomic: true, persistent: true });
    const fire = (path: string) => {
      const abs = resolve(path);
      const key = abs === resolve(this.configFile) ? 'config' : abs;
      if (key !== 'config' && !this.files.has(abs)) return;
      clearTimeout(this.timers.get(key));
      this.timers.set(
        key,
        setTimeout(() => {
          this.timers.delete(key);
          if (!this.closed) this.onChange(key);
        }, DEBOUNCE_MS),
      );
    };
    this.watcher.on('change', fire);
    this.watcher.on('add', fire);
    this.watcher.on('error', () => {
      /* a vanished file is seen again when it comes back */
    });
    this.watcher.on('ready', () => {
      for (const [path, id] of this.baseline) if (identity(path) !== id) fire(path);
      this.baseline.clear();
    });
  }

  /** Replaces the watched module files (after a reload). */
  setFiles(files: string[]): void {
    const next = new Set(files.map((f) => resolve(f)));
    if (this.watcher) {
      const gone = [...this.files].filter((f) => !next.has(f));
      const added = [...next].filter((f) => !this.files.has(f));
      if (gone.length > 0) this.watcher.unwatch(gone);
      if (added.length > 0) this.watcher.add(added);
    }
    this.files = next;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    void this.watcher?.close();
    this.watcher = null;
  }
}

function identity(path: string): string {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
