// What each key does: a pure reducer from (UI state, key, current rows) to (new UI state, action).
// The dashboard performs the action (a control call, quit, detach) and reports its outcome.

import type { ControlMethods } from '../control/protocol.js';
import type { ProgramInfo } from '../control/snapshot.js';
import { resolveSelection, type ProcessRow } from './process-rows.js';

export interface UiState {
  selectedKey: string | null;
  selectedIndex: number;
  filter: string;
  filterEditing: boolean;
  logVisible: boolean;
  /** Log pane shows only the selected worker's lines. */
  logOnlySelected: boolean;
  confirmQuit: boolean;
  /** Started by `gmsup start --tui`: q stops the daemon (after asking), d detaches. */
  embedded: boolean;
}

export function initialUiState(embedded: boolean): UiState {
  return {
    selectedKey: null,
    selectedIndex: 0,
    filter: '',
    filterEditing: false,
    logVisible: true,
    logOnlySelected: false,
    confirmQuit: false,
    embedded,
  };
}

export interface KeyEvent {
  name?: string;
  ch?: string;
  ctrl?: boolean;
}

type ActionMethod = 'restart' | 'scale' | 'stop-worker' | 'start-worker';
export type ControlAction = {
  [M in ActionMethod]: { kind: 'control'; method: M; params: ControlMethods[M]['params']; label: string };
}[ActionMethod];

export type Action =
  | { kind: 'none' }
  | { kind: 'quit' }
  | { kind: 'detach' }
  | { kind: 'stop-daemon' }
  | { kind: 'message'; text: string }
  | ControlAction;

const NONE: Action = { kind: 'none' };

export function reduceKey(
  state: UiState,
  key: KeyEvent,
  rows: ProcessRow[],
  programs: ProgramInfo[],
): { state: UiState; action: Action } {
  const name = key.name ?? '';
  const ch = key.ch ?? '';
  if (state.filterEditing) return editFilter(state, name, ch, key.ctrl === true);
  if (state.confirmQuit) {
    if (ch === 'y' || ch === 'Y') return { state: { ...state, confirmQuit: false }, action: { kind: 'stop-daemon' } };
    if (ch === 'd') return { state: { ...state, confirmQuit: false }, action: { kind: 'detach' } };
    return { state: { ...state, confirmQuit: false }, action: { kind: 'message', text: 'daemon left running' } };
  }
  const sel = resolveSelection(rows, state.selectedKey, state.selectedIndex);
  const select = (i: number) => {
    const j = Math.max(0, Math.min(rows.length - 1, i));
    const row = rows[j];
    if (row === undefined) return { state, action: NONE }; // no rows
    return { state: { ...state, selectedIndex: j, selectedKey: row.key }, action: NONE };
  };
  if (name === 'up' || ch === 'k') return select(sel - 1);
  if (name === 'down' || ch === 'j') return select(sel + 1);
  if (name === 'pageup') return select(sel - 10);
  if (name === 'pagedown') return select(sel + 10);
  if (name === 'home' || ch === 'g') return select(0);
  if (name === 'end' || ch === 'G') return select(rows.length - 1);
  if (ch === 'q' || (key.ctrl && name === 'c')) {
    return state.embedded
      ? { state: { ...state, confirmQuit: true }, action: NONE }
      : { state, action: { kind: 'quit' } };
  }
  if (ch === 'd')
    return state.embedded
      ? { state, action: { kind: 'detach' } }
      : { state, action: { kind: 'message', text: 'd detaches only under `gmsup start --tui`; q quits' } };
  if (ch === '/') return { state: { ...state, filterEditing: true }, action: NONE };
  if (ch === 'l') return { state: { ...state, logVisible: !state.logVisible }, action: NONE };
  if (ch === 'w') return { state: { ...state, logOnlySelected: !state.logOnlySelected }, action: NONE };
  const row = sel >= 0 ? rows[sel] : undefined;
  if (!row)
    return ['r', 'R', '+', '-', 's', 'a'].includes(ch)
      ? { state, action: { kind: 'message', text: 'nothing selected' } }
      : { state, action: NONE };
  const prog = programs.find((p) => p.name === row.worker);
  if (ch === 'r') {
    if (row.index === null)
      return {
        state,
        action: { kind: 'control', method: 'restart', params: { name: row.worker }, label: `restart ${row.worker}` },
      };
    return {
      state,
      action: {
        kind: 'control',
        method: 'restart',
        params: { name: row.worker, index: row.index },
        label: `restart ${row.worker}/${row.index}`,
      },
    };
  }
  if (ch === 'R')
    return {
      state,
      action: { kind: 'control', method: 'restart', params: { name: row.worker }, label: `restart ${row.worker}` },
    };
  if (ch === '+' || ch === '-' || ch === '=') {
    if (!prog) return { state, action: { kind: 'message', text: `${row.worker} is not a configured worker` } };
    const to = Math.max(0, prog.desired + (ch === '-' ? -1 : 1));
    if (to === prog.desired)
      return { state, action: { kind: 'message', text: `${row.worker} already has 0 instances` } };
    return {
      state,
      action: {
        kind: 'control',
        method: 'scale',
        params: { name: row.worker, instances: to },
        // On an autoscaled worker a count pins it (autoscaling pauses until `a`).
        label: prog.autoscale ? `pin ${row.worker} at ${to} (a: resume autoscaling)` : `scale ${row.worker} to ${to}`,
      },
    };
  }
  if (ch === 'a') {
    if (!prog?.autoscale) return { state, action: { kind: 'message', text: `${row.worker} is not autoscaled` } };
    return {
      state,
      action: {
        kind: 'control',
        method: 'scale',
        params: { name: row.worker, instances: 'auto' },
        label: `resume autoscaling of ${row.worker}`,
      },
    };
  }
  if (ch === 's') {
    if (prog?.stopped)
      return {
        state,
        action: { kind: 'control', method: 'start-worker', params: { name: row.worker }, label: `start ${row.worker}` },
      };
    return {
      state,
      action: { kind: 'control', method: 'stop-worker', params: { name: row.worker }, label: `stop ${row.worker}` },
    };
  }
  return { state, action: NONE };
}

function editFilter(state: UiState, name: string, ch: string, ctrl: boolean): { state: UiState; action: Action } {
  if (name === 'enter' || name === 'return') return { state: { ...state, filterEditing: false }, action: NONE };
  if (name === 'escape' || (ctrl && name === 'c'))
    return { state: { ...state, filterEditing: false, filter: '' }, action: NONE };
  if (name === 'backspace') return { state: { ...state, filter: state.filter.slice(0, -1) }, action: NONE };
  if (ctrl && name === 'u') return { state: { ...state, filter: '' }, action: NONE };
  if (!ctrl && ch.length === 1 && ch >= ' ' && ch !== '\x7f')
    return { state: { ...state, filter: state.filter + ch }, action: NONE };
  return { state, action: NONE };
}
