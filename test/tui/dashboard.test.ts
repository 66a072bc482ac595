// `gmsup tui` in a real terminal (tmux) against a real daemon with real jobs flowing: instance rows with
// pids, queue counts equal to the job server's `status`, FATAL in red, restart and scale by key, resize,
// disconnect and reconnect, quit.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GearmanClient, adminStatus } from '../../src/client/index.js';
import type { Snapshot } from '../../src/control/snapshot.js';
import { defined } from '../helpers/defined.js';
import { skipUnless } from '../helpers/external.js';
import { freePort } from '../helpers/gearmand.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { BIN, startDaemon, status, stopDaemon, writeConfig } from './daemon-fixture.js';
import { RED, Tmux, colourOf } from './tmux.js';

const WORKERS = {
  'echo.mjs': 'export default async (payload) => payload;\n',
  // Holds its job until the job is aborted (daemon stop), so queue counts stay still while we compare.
  'hold.mjs':
    'export default (payload, job) => new Promise((resolve) => ' +
    'job.signal.addEventListener("abort", () => resolve("aborted")));\n',
  'broken.mjs': 'throw new Error("broken on purpose at load");\n',
};

function config(port: number): string {
  return `server:
  listen: 127.0.0.1:${port}
workers:
  echo:
    module: echo.mjs
    instances: 2
    stop_timeout: 1s
  hold:
    module: hold.mjs
    instances: 1
    concurrency: 1
    stop_timeout: 200ms
  broken:
    module: broken.mjs
    instances: 1
    restart:
      initial_backoff: 100ms
      max_backoff: 200ms
      retries: 1
      start_seconds: 1
`;
}

/** Row of the processes pane for worker `name` index `index` (the selection marker is column 0). */
function rowOf(screen: string[], name: string, index: number): string | undefined {
  return screen.find((l) => new RegExp(`^[ >]${name}\\s+${index}\\s`).test(l));
}

test('gmsup tui under tmux against a real daemon', { skip: skipUnless('tmux'), timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const cfg = writeConfig(dir, config(port), WORKERS);
  await startDaemon(t, cfg);
  const server = `127.0.0.1:${port}`;

  // Real jobs: a trickle of echo jobs for the whole test, 3 held + 2 queued behind them, 4 with no worker.
  const client = new GearmanClient({ servers: [server] });
  t.after(() => client.close());
  let flowing = true;
  t.after(() => {
    flowing = false;
  });
  const trickle = (async () => {
    for (let i = 0; i < 100_000 && flowing; i++) {
      await client.submit('echo', `job ${i}`).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  t.after(() => trickle);
  for (let i = 0; i < 3; i++) await client.submitBackground('hold', `h${i}`);
  for (let i = 0; i < 4; i++) await client.submitBackground('parked', `p${i}`);

  const exitFile = join(dir, 'tui.exit');
  const tmux = Tmux.start(t, `node ${BIN} tui ${cfg}; echo $? > ${exitFile}`, 100, 30);
  const screen = () => tmux.capture();
  /** The header row ('' before the first capture has rows). */
  const headerRow = () => screen()[0] ?? '';

  await t.test('one row per instance with its pid; FATAL in red with its reason', async () => {
    const snap = await waitFor(
      async () => {
        const s = await status(cfg);
        return s.instances.filter((i) => i.name === 'echo' && i.state === 'RUNNING').length === 2 &&
          s.instances.some((i) => i.state === 'FATAL')
          ? s
          : null;
      },
      { timeoutMs: 30_000, what: 'echo running and broken FATAL' },
    );
    for (const inst of snap.instances.filter((i) => i.state === 'RUNNING')) {
      await waitFor(() => rowOf(screen(), inst.name, inst.index)?.includes(` ${inst.pid} RUNNING`), {
        what: `row ${inst.name}/${inst.index} with pid ${inst.pid}: ${screen().join('\n')}`,
      });
    }
    const fatalRow = await waitFor(() => tmux.captureColours().find((r) => /^[ >]broken\s+0\s.*FATAL/.test(r.text)), {
      what: 'the FATAL row',
    });
    assert.ok(
      RED.has(colourOf(fatalRow, 'FATAL') ?? -1),
      `FATAL drawn in red: ${JSON.stringify(fatalRow.fg.slice(0, 60))}`,
    );
    assert.match(fatalRow.text, /FATAL\s+\S+\s+\d+ \S/, 'a reason follows the FATAL state');
  });

  await t.test('queue counts match the job server status; a function without workers is flagged in red', async () => {
    await waitFor(
      async () => {
        const st = await adminStatus(server);
        const lines = screen();
        return ['hold', 'parked'].every((fn) => {
          const s = st.find((f) => f.name === fn);
          if (!s) return false;
          const counts = [s.total - s.running, s.running, s.availableWorkers].join('\\s+');
          const want = new RegExp(`^${server.replace(/\./g, '\\.')}\\s+${fn}\\s+${counts}(\\s|$)`);
          return lines.some((l) => want.test(l));
        });
      },
      { timeoutMs: 20_000, what: `queue rows equal to adminStatus: ${screen().join('\n')}` },
    );
    const holdRow = screen().find((l) => /\shold\s/.test(l) && l.startsWith('127.'));
    assert.match(holdRow ?? '', /hold\s+2\s+1\s+1/, 'hold: 2 queued, 1 running, 1 worker');
    const parked = await waitFor(() => tmux.captureColours().find((r) => /\sparked\s+4\s+0\s+0\s+\S/.test(r.text)), {
      timeoutMs: 30_000,
      what: `parked alarmed: ${screen().join('\n')}`,
    });
    assert.ok(RED.has(colourOf(parked, 'parked') ?? -1), 'the alarmed queue row is red');
    await waitFor(() => /\d+(\.\d)?k? jobs\/s/.test(headerRow()) && !/ 0 jobs\/s/.test(headerRow()), {
      what: `a non-zero job rate in the header: ${headerRow()}`,
    });
  });

  await t.test('r restarts the selected instance (its pid changes on screen)', async () => {
    const before = (await status(cfg)).instances.find((i) => i.name === 'echo' && i.index === 0)!;
    for (let i = 0; i < 10 && !rowOf(screen(), 'echo', 0)?.startsWith('>'); i++) {
      tmux.keys('g');
      await waitFor(() => screen().some((l) => l.startsWith('>')), { what: 'a selected row' });
      if (!rowOf(screen(), 'echo', 0)?.startsWith('>')) tmux.keys('j');
    }
    await waitFor(() => rowOf(screen(), 'echo', 0)?.startsWith('>'), {
      what: `echo/0 selected: ${screen().join('\n')}`,
    });
    tmux.keys('r');
    const after = await waitFor(
      async () => {
        const inst = (await status(cfg)).instances.find(
          (i) => i.name === 'echo' && i.index === 0 && i.state === 'RUNNING',
        );
        return inst && inst.pid !== before.pid ? inst : null;
      },
      { timeoutMs: 20_000, what: 'echo/0 with a new pid' },
    );
    await waitFor(() => rowOf(screen(), 'echo', 0)?.includes(` ${after.pid} RUNNING`), {
      what: `new pid ${after.pid} on screen`,
    });
    await waitFor(() => screen().some((l) => /restart echo\/0: ok/.test(l)), {
      what: 'the outcome in the status line',
    });
  });

  await t.test('+ scales the selected worker (one more row), - scales back', async () => {
    const count = (s: Snapshot) => s.instances.filter((i) => i.name === 'echo').length;
    const rows = () => screen().filter((l) => /^[ >]echo\s+\d+\s/.test(l)).length;
    tmux.keys('+');
    await waitFor(async () => count(await status(cfg)) === 3 && rows() === 3, {
      timeoutMs: 20_000,
      what: `3 echo rows: ${screen().join('\n')}`,
    });
    await waitFor(() => screen().some((l) => /scale echo to 3: ok/.test(l)), { what: 'scale outcome' });
    tmux.keys('-');
    await waitFor(async () => count(await status(cfg)) === 2 && rows() === 2, {
      timeoutMs: 20_000,
      what: `2 echo rows again: ${screen().join('\n')}`,
    });
  });

  await t.test('/ filters the rows by name; Esc clears the filter', async () => {
    const echoRows = () => screen().filter((l) => /^[ >]echo\s+\d+\s/.test(l)).length;
    tmux.keys('/');
    await waitFor(() => screen().some((l) => l.startsWith('filter: /')), {
      what: `the filter prompt: ${screen().join('\n')}`,
    });
    tmux.type('brok');
    tmux.keys('Enter');
    await waitFor(() => screen().some((l) => /^[ >]broken\s+0\s/.test(l)) && echoRows() === 0, {
      what: `only broken rows: ${screen().join('\n')}`,
    });
    assert.ok(!screen().some((l) => /^127\.\S+\s+hold\s/.test(l)), 'queue rows are filtered too');
    tmux.keys('/');
    tmux.keys('Escape');
    await waitFor(() => echoRows() === 2, { what: `echo rows back: ${screen().join('\n')}` });
  });

  await t.test('resize: the layout follows the window (80x24, then 120x40)', async () => {
    const sizes: Array<[width: number, height: number]> = [
      [80, 24],
      [120, 40],
    ];
    for (const [w, h] of sizes) {
      tmux.resize(w, h);
      await waitFor(
        () => {
          const s = screen();
          return (
            s.length === h &&
            s[h - 1]?.startsWith('q quit') &&
            s[0]?.startsWith('gmsup pid') &&
            s.some((l) => l.startsWith(' WORKER') && l.trimEnd().endsWith(w >= 90 ? 'REG' : 'JOB'))
          );
        },
        { what: `layout at ${w}x${h}: ${screen().join('\n')}` },
      );
    }
  });

  await t.test(
    'disconnect: the daemon stops -> "DISCONNECTED", nothing broken; it returns -> reconnected',
    async () => {
      const oldPid = (await status(cfg)).daemon.pid;
      await stopDaemon(cfg, oldPid);
      await waitFor(() => headerRow().includes('DISCONNECTED'), {
        timeoutMs: 20_000,
        what: `DISCONNECTED: ${headerRow()}`,
      });
      const s = screen();
      assert.ok(defined(s.at(-1), 'a screen row').startsWith('q quit'), 'the help line is still in place');
      assert.equal(tmux.paneDead(), false, 'the dashboard is still running');
      const newPid = await startDaemon(t, cfg);
      await waitFor(() => headerRow().startsWith(`gmsup pid ${newPid} `), {
        timeoutMs: 20_000,
        what: `reconnected to ${newPid}: ${headerRow()}`,
      });
    },
  );

  await t.test('q quits with exit code 0', async () => {
    tmux.keys('q');
    await waitFor(() => tmux.paneDead(), { what: 'the dashboard to exit' });
    assert.equal(readFileSync(exitFile, 'utf8').trim(), '0');
  });
});
