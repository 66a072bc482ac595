// The view-model: constructed snapshots in, pane lines out (text, colours, sizes for 80x24 and others).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogLine } from '../../../src/control/protocol.js';
import type { Snapshot } from '../../../src/control/snapshot.js';
import { History } from '../../../src/tui/history.js';
import { initialUiState, type UiState } from '../../../src/tui/keys.js';
import { computeLayout } from '../../../src/tui/layout.js';
import { lineText, type Line } from '../../../src/tui/line.js';
import { buildView, type Connection } from '../../../src/tui/view-model.js';
import { defined, itemAt } from '../../helpers/defined.js';
import { autoscale, instance, program, server, snapshot } from './snapshot-fixture.js';

const connected: Connection = { connected: true, error: null, socketPath: '/x/control.sock' };

function view(
  snap: Snapshot | null,
  opts: { ui?: Partial<UiState>; width?: number; height?: number; logs?: LogLine[]; connection?: Connection } = {},
) {
  const history = new History();
  if (snap) history.push(snap);
  const ui = { ...initialUiState(false), ...opts.ui };
  const layout = computeLayout(opts.width ?? 80, opts.height ?? 24, ui.logVisible);
  return {
    layout,
    v: buildView({
      snapshot: snap,
      connection: opts.connection ?? connected,
      history,
      ui,
      logLines: opts.logs ?? [],
      message: null,
      layout,
      nowMs: 0,
    }),
  };
}

const text = (ls: Line[]) => ls.map(lineText);
const colourOf = (l: Line, needle: string) => l.segments.find((s) => s.text.includes(needle))?.fg;

test('one process row per instance with its pid; states coloured', () => {
  const snap = snapshot({
    instances: [
      instance('reverse', 0, { pid: 111 }),
      instance('reverse', 1, { pid: 222, state: 'BACKOFF' }),
      instance('wc', 0, { pid: 333, state: 'STARTING' }),
    ],
  });
  const { v } = view(snap);
  const rows = text(v.processes).slice(1);
  assert.equal(rows.length, 3);
  assert.match(itemAt(rows, 0), /^>reverse\s+0\s+111 RUNNING/);
  assert.match(itemAt(rows, 1), /reverse\s+1\s+222 BACKOFF/);
  assert.equal(colourOf(itemAt(v.processes, 1), 'RUNNING'), 'green');
  assert.equal(colourOf(itemAt(v.processes, 2), 'BACKOFF'), 'yellow');
  assert.equal(colourOf(itemAt(v.processes, 3), 'STARTING'), 'yellow');
  assert.equal(itemAt(v.processes, 1).selected, true);
  assert.match(itemAt(rows, 0), /1m05s/);
  assert.match(itemAt(rows, 0), /40\.0M/);
});

test('a FATAL instance is red and shows its reason', () => {
  const snap = snapshot({
    programs: [program('wc', 1)],
    instances: [instance('wc', 0, { state: 'FATAL', pid: null, reason: 'exited 3 times in a row: exit 1' })],
  });
  const { v } = view(snap);
  const row = itemAt(v.processes, 1);
  assert.equal(colourOf(row, 'FATAL'), 'red');
  assert.match(lineText(row), /FATAL .*exited 3 times in a row/);
  assert.equal(colourOf(row, 'exited'), 'red');
});

test('a worker with no instance (stopped or scaled to 0) keeps a selectable row', () => {
  const snap = snapshot({
    programs: [program('reverse', 0, { stopped: true }), program('wc', 1)],
    instances: [instance('wc', 0)],
  });
  const { v } = view(snap);
  assert.equal(itemAt(v.rows, 0).key, 'reverse/-');
  assert.match(lineText(itemAt(v.processes, 1)), /reverse\s+stopped/);
});

test('queues: every server, unreachable ones shown red; alarms red on their row and sorted first', () => {
  const snap = snapshot({
    servers: [
      server('127.0.0.1:4730', [
        { function: 'aaa', queued: 1, running: 0, availableWorkers: 1 },
        { function: 'zzz', queued: 7, running: 0, availableWorkers: 0 },
      ]),
      server('127.0.0.1:4731', [], { reachable: false, error: 'ECONNREFUSED', embedded: false }),
    ],
    alarms: [
      { server: '127.0.0.1:4730', function: 'zzz', kind: 'no-workers', message: 'no registered worker' },
      { server: '127.0.0.1:4730', function: 'ghost', kind: 'stalled', message: 'stalled 30s' },
    ],
  });
  const { v } = view(snap, { height: 40 });
  const q = text(v.queues).slice(1);
  assert.match(itemAt(q, 0), /127\.0\.0\.1:4731\s+UNREACHABLE ECONNREFUSED/);
  assert.equal(colourOf(itemAt(v.queues, 1), 'UNREACHABLE'), 'red');
  assert.match(itemAt(q, 1), /ghost .*stalled 30s/);
  assert.match(itemAt(q, 2), /zzz\s+7\s+0\s+0 no registered work/);
  assert.equal(colourOf(itemAt(v.queues, 3), 'zzz'), 'red');
  assert.match(itemAt(q, 3), /aaa\s+1\s+0\s+1/);
  assert.equal(colourOf(itemAt(v.queues, 4), 'aaa'), undefined);
});

test('every pane fits the layout: 80x24, a tiny and a wide terminal, 64 instances and 50 functions', () => {
  const fns = Array.from({ length: 50 }, (_, i) => `fn${i}`);
  const snap = snapshot({
    programs: fns.map((f, i) => program(f, i < 14 ? 2 : 1)),
    instances: fns.flatMap((f, i) =>
      Array.from({ length: i < 14 ? 2 : 1 }, (_, k) => instance(f, k, { pid: 5000 + i * 10 + k })),
    ),
    servers: [
      server(
        '127.0.0.1:4730',
        fns.map((f) => ({ function: f, queued: 3, running: 1, availableWorkers: 1 })),
      ),
    ],
  });
  assert.equal(snap.instances.length, 64);
  const sizes: Array<[width: number, height: number]> = [
    [80, 24],
    [40, 12],
    [60, 16],
    [200, 60],
    [100, 30],
  ];
  for (const [w, h] of sizes) {
    for (const logVisible of [true, false]) {
      const { layout, v } = view(snap, { width: w, height: h, ui: { logVisible, selectedKey: 'fn40/0' } });
      const panes: Array<[Line[] | null, { height: number } | null]> = [
        [v.processes, layout.processes],
        [v.queues, layout.queues],
        [v.chart, layout.chart],
        [v.log, layout.log],
      ];
      for (const [lines, rect] of panes) {
        if (!rect) continue;
        assert.ok(lines && lines.length <= rect.height, `${w}x${h}: ${lines?.length} lines in ${rect.height}`);
        for (const l of lines) assert.ok(lineText(l).length <= w, `${w}x${h}: too wide: ${lineText(l)}`);
      }
      const total =
        layout.header.height +
        layout.processes.height +
        layout.queues.height +
        layout.chart.height +
        (layout.log?.height ?? 0) +
        2;
      assert.equal(total, h);
      assert.ok(
        text(v.processes).some((t) => t.startsWith('>fn40 ')),
        'the selected row is scrolled into view',
      );
      assert.ok(lineText(v.help).startsWith('q quit'), `help line shows q at ${w}x${h}`);
    }
  }
});

test('disconnected: the header says so in red and keeps the last data', () => {
  const { v } = view(snapshot(), { connection: { connected: false, error: 'no daemon is running', socketPath: '/x' } });
  assert.match(lineText(v.header), /DISCONNECTED reconnecting… no daemon is running/);
  assert.equal(colourOf(v.header, 'DISCONNECTED'), 'red');
  assert.equal(v.processes.length, 4);
  const none = view(null, { connection: { connected: false, error: 'x', socketPath: '/x' } }).v;
  assert.match(lineText(itemAt(none.processes, 1)), /waiting for the daemon/);
});

test('the filter narrows processes, queues and logs; w limits the log to the selected worker', () => {
  const logs: LogLine[] = [
    { atMs: 0, source: 'reverse/0/1000', worker: 'reverse', stream: 'stdout', text: 'did reverse' },
    { atMs: 0, source: 'wc/0/3000', worker: 'wc', stream: 'stderr', text: 'wc warning {red-fg}' },
    { atMs: 0, source: 'daemon', worker: null, stream: 'daemon', text: 'started' },
  ];
  const f = view(snapshot(), { ui: { filter: 'wc' }, logs, height: 30 }).v;
  assert.deepEqual(
    f.rows.map((r) => r.key),
    ['wc/0'],
  );
  assert.deepEqual(
    text(f.queues)
      .slice(1)
      .map((t) => t.split(/\s+/)[1]),
    ['wc'],
  );
  assert.deepEqual(
    text(defined(f.log, 'log pane'))
      .slice(1)
      .map((t) => t.split(' ')[1]),
    ['wc/0/3000'],
  );
  const all = view(snapshot(), { logs, height: 30 }).v;
  assert.equal(defined(all.log, 'log pane').length, 4);
  const only = view(snapshot(), { ui: { logOnlySelected: true, selectedKey: 'reverse/1' }, logs, height: 30 }).v;
  assert.deepEqual(
    text(defined(only.log, 'log pane'))
      .slice(1)
      .map((t) => t.split(' ')[1]),
    ['reverse/0/1000'],
  );
  assert.match(lineText(itemAt(defined(only.log, 'log pane'), 0)), /log of reverse/);
});

test('the chart titles show overall and selected-function rates; the embedded help names q and d', () => {
  const history = new History();
  history.push(snapshot({ takenAtMs: 1000, jobsDoneByFunction: { reverse: 0, wc: 0 } }));
  history.push(snapshot({ takenAtMs: 2000, jobsDoneByFunction: { reverse: 20, wc: 4 } }));
  const ui = initialUiState(true);
  const layout = computeLayout(80, 24, true);
  const v = buildView({
    snapshot: snapshot(),
    connection: connected,
    history,
    ui,
    logLines: [],
    message: null,
    layout,
    nowMs: 0,
  });
  assert.match(lineText(itemAt(v.chart, 0)), /jobs\/s 24 ▸ reverse 20/);
  assert.match(lineText(itemAt(v.chart, 0)), /\(2s\)/, 'a short history is drawn one column per sample');
  assert.equal(
    lineText(itemAt(v.chart, v.chart.length - 2)).slice(37, 39),
    '▁█',
    'the newest two samples fill the right edge',
  );
  assert.match(lineText(itemAt(v.chart, 0)), /queued 5 ▸ reverse 5/);
  assert.match(lineText(v.help), /q stop daemon {2}d detach/);
  assert.equal(v.selectedFunction, 'reverse');
});

test('an autoscaled worker has a line under the queues: current [min..max], wait, last decision and reason', () => {
  const snap = snapshot({
    programs: [program('reverse', 3, { autoscale: autoscale() }), program('wc', 1)],
    instances: [instance('reverse', 0), instance('reverse', 1), instance('reverse', 2), instance('wc', 0)],
    servers: [server('127.0.0.1:4730', [{ function: 'reverse', queued: 1200, running: 3, availableWorkers: 3 }])],
  });
  const { v } = view(snap, { width: 100 });
  const lines = text(v.queues);
  const line = lines.find((l) => l.startsWith('autoscale'));
  assert.ok(line, lines.join('\n'));
  assert.match(line, /^autoscale reverse\s+3 \[1\.\.8\]\s+wait 8s\s+5s ago 1->3: queue wait 7\.2 s > 2 s: \+2$/);
  assert.ok(lines.indexOf(line) > lines.findIndex((l) => l.includes('1.2k')), 'below the queue rows');
  const as = itemAt(v.queues, lines.indexOf(line));
  assert.equal(colourOf(as, 'queue wait 7.2 s'), 'green');

  // Held by the guard: yellow, with the reading; pinned: magenta. Both fit 80 columns.
  const held = snapshot({
    programs: [program('reverse', 3, { autoscale: autoscale({ guard: 'load 9.0 > 4 (2 cores x 2)' }) })],
  });
  const h = view(held).v;
  const hl = itemAt(
    h.queues,
    text(h.queues).findIndex((l) => l.startsWith('autoscale')),
  );
  assert.equal(colourOf(hl, 'HELD: load 9.0 > 4 (2 cores x 2)'), 'yellow');
  assert.ok(lineText(hl).length <= 80);
  const pinned = snapshot({
    programs: [program('reverse', 5, { scaled: true, autoscale: autoscale({ pinned: true }) })],
  });
  const p = view(pinned).v;
  assert.equal(
    colourOf(
      itemAt(
        p.queues,
        text(p.queues).findIndex((l) => l.startsWith('autoscale')),
      ),
      'PINNED',
    ),
    'magenta',
  );
  // A fixed-count worker has none; the filter applies.
  assert.equal(text(view(snapshot()).v.queues).filter((l) => l.startsWith('autoscale')).length, 0);
  assert.equal(text(view(snap, { ui: { filter: 'wc' } }).v.queues).filter((l) => l.startsWith('autoscale')).length, 0);
});
