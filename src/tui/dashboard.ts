// The blessed screen: one plain box per pane, created once and reused; each refresh only replaces
// the content of boxes whose text changed and renders only if something did. Widgets get Lines.

import blessed from 'blessed';
import { displayWidth } from '../shared/format.js';
import type { KeyEvent } from './keys.js';
import type { Layout, Rect } from './layout.js';
import type { Line } from './line.js';
import type { DashboardView } from './view-model.js';

type PaneName = 'header' | 'processes' | 'queues' | 'chart' | 'log' | 'status' | 'help';
const PANES: PaneName[] = ['header', 'processes', 'queues', 'chart', 'log', 'status', 'help'];

/** Line -> blessed tag markup; user text is escaped so `{` in a log line cannot inject tags. */
export function toMarkup(l: Line, width: number): string {
  let out = '';
  let len = 0;
  for (const s of l.segments) {
    let t = blessed.escape(s.text);
    len += displayWidth(s.text);
    if (s.bold) t = `{bold}${t}{/bold}`;
    if (s.fg) t = `{${s.fg}-fg}${t}{/${s.fg}-fg}`;
    out += t;
  }
  if (l.selected) out = `{inverse}${out}${' '.repeat(Math.max(0, width - len))}{/inverse}`;
  return out;
}

export class DashboardScreen {
  readonly screen: blessed.Widgets.Screen;
  private readonly boxes = new Map<PaneName, blessed.Widgets.BoxElement>();
  private readonly lastContent = new Map<PaneName, string>();
  private lastGeometry = '';
  renders = 0;

  constructor(onKey: (key: KeyEvent) => void, onResize: () => void) {
    this.screen = blessed.screen({
      smartCSR: true,
      warnings: false,
      title: 'gmsup',
      autoPadding: false,
      // Wide characters (CJK, emoji) from worker output take two columns, as the view-model counts them.
      fullUnicode: true,
      forceUnicode: true,
    });
    for (const name of PANES) {
      const box = blessed.box({
        parent: this.screen,
        top: 0,
        left: 0,
        width: '100%',
        height: 1,
        tags: true,
        wrap: false,
        scrollable: false,
      });
      this.boxes.set(name, box);
    }
    this.screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined) => {
      onKey({ name: key?.name, ch: ch ?? undefined, ctrl: key?.ctrl === true });
    });
    this.screen.on('resize', onResize);
  }

  get size(): { width: number; height: number } {
    return { width: Number(this.screen.width), height: Number(this.screen.height) };
  }

  /** Places the panes (only when the layout changed) and updates the changed ones. */
  draw(layout: Layout, view: DashboardView): void {
    let changed = false;
    const geometry = JSON.stringify(layout);
    if (geometry !== this.lastGeometry) {
      this.lastGeometry = geometry;
      changed = true;
      const rects: Record<PaneName, Rect | null> = {
        header: layout.header,
        processes: layout.processes,
        queues: layout.queues,
        chart: layout.chart,
        log: layout.log,
        status: layout.status,
        help: layout.help,
      };
      for (const name of PANES) {
        const box = this.boxes.get(name)!;
        const r = rects[name];
        if (!r) {
          box.hide();
          continue;
        }
        box.show();
        box.top = r.top;
        box.height = r.height;
        box.width = layout.width;
      }
    }
    const lines: Record<PaneName, Line[] | null> = {
      header: [view.header],
      processes: view.processes,
      queues: view.queues,
      chart: view.chart,
      log: view.log,
      status: [view.status],
      help: [view.help],
    };
    for (const name of PANES) {
      const ls = lines[name];
      if (!ls) continue;
      const content = ls.map((l) => toMarkup(l, layout.width)).join('\n');
      if (this.lastContent.get(name) === content) continue;
      this.lastContent.set(name, content);
      this.boxes.get(name)!.setContent(content);
      changed = true;
    }
    if (changed) {
      this.renders++;
      this.screen.render();
    }
  }

  destroy(): void {
    this.screen.destroy();
  }
}
