// Where each pane goes for a given terminal size: pure, so resizing is just a recomputation.
// Fits 80x24; extra height goes mostly to the processes and queues panes.

export interface Rect {
  top: number;
  height: number;
}

export interface Layout {
  width: number;
  height: number;
  header: Rect;
  processes: Rect;
  queues: Rect;
  chart: Rect;
  log: Rect | null;
  status: Rect;
  help: Rect;
}

export const MIN_WIDTH = 40;
export const MIN_HEIGHT = 12;

export function computeLayout(widthCols: number, heightRows: number, logVisible: boolean): Layout {
  const width = Math.max(MIN_WIDTH, widthCols);
  const height = Math.max(MIN_HEIGHT, heightRows);
  // header, status and help take one row each.
  let rest = height - 3;
  const chartHeight = Math.max(3, Math.min(8, Math.floor(rest * 0.2)));
  rest -= chartHeight;
  // The processes and queues panes keep at least 2 rows each (title + one row); the log gives way.
  const logHeight = logVisible ? Math.min(rest - 4, Math.max(3, Math.min(12, Math.floor(rest * 0.25)))) : 0;
  const showLog = logHeight >= 2;
  rest -= showLog ? logHeight : 0;
  const procHeight = Math.max(2, Math.min(rest - 2, Math.ceil(rest * 0.55)));
  const queueHeight = rest - procHeight;
  let top = 0;
  const take = (h: number): Rect => {
    const r = { top, height: h };
    top += h;
    return r;
  };
  const header = take(1);
  const processes = take(procHeight);
  const queues = take(queueHeight);
  const chart = take(chartHeight);
  const log = showLog ? take(logHeight) : null;
  const status = take(1);
  const help = take(1);
  return { width, height, header, processes, queues, chart, log, status, help };
}
