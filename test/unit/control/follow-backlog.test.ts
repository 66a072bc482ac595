// A `gmsup logs -f` client that reads more slowly than lines come (issue 11 defect 5, bounded memory):
// the daemon queues at most a few MiB for it, drops the rest, and tells it how many it missed.
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { ControlServer, type ControlHandler } from '../../../src/control/control-server.js';
import type { LogLine } from '../../../src/control/protocol.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

test('a follower that does not read is sent at most the backlog; the rest is counted and reported', async (t) => {
  let push: ((l: LogLine) => void) | null = null;
  const handler = {
    logs: () => ({ lines: [] }),
    followLogs: (_name: string | undefined, onLine: (l: LogLine) => void) => {
      push = onLine;
      return () => {
        push = null;
      };
    },
  } as unknown as ControlHandler;
  const path = join(tempDir(t), 'c.sock');
  const server = await ControlServer.listen(path, handler);
  t.after(() => server.close());
  const sock = net.connect(path);
  t.after(() => sock.destroy());
  await new Promise<void>((resolve) => sock.once('connect', resolve));
  let buffer = '';
  const events: LogLine[] = [];
  sock.setEncoding('utf8');
  sock.on('data', (c: string) => {
    buffer += c;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const msg = JSON.parse(buffer.slice(0, nl)) as { event?: string; line?: LogLine };
      buffer = buffer.slice(nl + 1);
      if (msg.event === 'log' && msg.line) events.push(msg.line);
    }
  });
  sock.write(`${JSON.stringify({ id: 1, method: 'logs', params: { follow: true } })}\n`);
  await waitFor(() => push !== null, { what: 'the follow subscription' });
  sock.pause(); // a client that stopped reading
  const text = 'x'.repeat(1000);
  const total = 100_000; // about 100 MB of JSON
  for (let i = 0; i < total; i++) push!({ atMs: i, source: 'w/0/1', worker: 'w', stream: 'stdout', text });
  sock.resume();
  // Let the backlog drain (nothing new arrives for a while), then one more line: it goes through.
  let seen = -1;
  await waitFor(
    () => {
      const stable = events.length === seen;
      seen = events.length;
      return stable;
    },
    { timeoutMs: 20_000, intervalMs: 200, what: 'the backlog delivered' },
  );
  push!({ atMs: total, source: 'w/0/1', worker: 'w', stream: 'stdout', text: 'last' });
  await waitFor(() => events.at(-1)?.text === 'last', { timeoutMs: 20_000, what: 'the last line' });
  const marker = events.find((e) => e.stream === 'daemon');
  assert.ok(marker, 'a marker says lines were dropped');
  const dropped = Number(/dropped (\d+) lines/.exec(marker.text)?.[1]);
  const delivered = events.filter((e) => e.stream === 'stdout').length;
  assert.equal(delivered + dropped, total + 1, 'every line delivered or counted');
  assert.ok(delivered < 20_000, `the backlog stayed bounded (${delivered} lines sent)`);
});
