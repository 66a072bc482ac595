// The dashboard's unit of text: a line of coloured segments. View-models produce Lines; only
// dashboard.ts turns them into blessed tags. Pure.

import { displayWidth, sliceToWidth } from '../shared/format.js';
export type Colour = 'green' | 'yellow' | 'red' | 'cyan' | 'gray' | 'white' | 'magenta' | 'blue';

export interface Segment {
  text: string;
  fg?: Colour;
  bold?: boolean;
}

export interface Line {
  segments: Segment[];
  /** Drawn in reverse video (the selected row). */
  selected?: boolean;
}

export function seg(text: string, fg?: Colour, bold?: boolean): Segment {
  const s: Segment = { text };
  if (fg) s.fg = fg;
  if (bold) s.bold = true;
  return s;
}

export function line(...segments: Segment[]): Line {
  return { segments };
}

export function lineText(l: Line): string {
  return l.segments.map((s) => s.text).join('');
}

/** Cuts a line to `width` characters (segments past the edge are dropped or shortened). */
export function clipLine(l: Line, width: number): Line {
  let left = width;
  const out: Segment[] = [];
  for (const s of l.segments) {
    if (left <= 0) break;
    const width = displayWidth(s.text);
    const text = width > left ? sliceToWidth(s.text, left) : s.text;
    out.push({ ...s, text });
    left -= Math.min(width, left);
  }
  return { ...l, segments: out };
}
