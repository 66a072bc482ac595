// The control socket's boundary: each request's params are checked before the handler runs; a malformed
// request gets a USAGE error naming the bad field, and the handler is never called with it.
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { ControlServer, type ControlHandler } from '../../../src/control/control-server.js';
import { tempDir } from '../../helpers/temp-dir.js';

function recordingHandler(calls: Array<[string, unknown]>): ControlHandler {
  const note =
    <T>(method: string, result: T) =>
    (params: unknown) => {
      calls.push([method, params]);
      return result;
    };
  return {
    status: note('status', {} as never),
    stop: note('stop', { stopping: true as const }),
    reload: note('reload', { plan: [] }),
    plan: note('plan', { plan: [] }),
    restart: note('restart', { restarted: 1 }),
    scale: note('scale', { from: 1, to: 3 }),
    'stop-worker': note('stop-worker', { stopped: 1 }),
    'start-worker': note('start-worker', { started: 1 }),
    logs: note('logs', { lines: [] }),
    followLogs: () => () => {},
  };
}

/** Sends raw lines over one connection and collects one reply per line. */
async function exchange(path: string, lines: string[]): Promise<Array<Record<string, unknown>>> {
  const sock = net.connect(path);
  try {
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    sock.setEncoding('utf8');
    let buffer = '';
    const replies: Array<Record<string, unknown>> = [];
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${replies.length} replies: ${buffer}`)), 5000);
      sock.on('data', (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          replies.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
          buffer = buffer.slice(nl + 1);
        }
        if (replies.length >= lines.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    sock.write(lines.map((l) => `${l}\n`).join(''));
    await done;
    return replies.sort((a, b) => Number(a.id) - Number(b.id));
  } finally {
    sock.destroy();
  }
}

test('malformed control requests get a USAGE reply naming the field; good ones reach the handler typed', async (t) => {
  const calls: Array<[string, unknown]> = [];
  const server = await ControlServer.listen(join(tempDir(t), 'control.sock'), recordingHandler(calls));
  t.after(() => server.close());
  const replies = await exchange(server.path, [
    JSON.stringify({ id: 1, method: 'scale', params: { name: 'w', instances: '3' } }),
    JSON.stringify({ id: 2, method: 'restart', params: { index: 1 } }),
    JSON.stringify({ id: 3, method: 'logs', params: { lines: 0 } }),
    JSON.stringify({ id: 4, method: 'status', params: [1] }),
    JSON.stringify({ id: 5, method: 'explode', params: {} }),
    JSON.stringify({ id: 6, method: 'scale', params: { name: 'w', instances: 3 } }),
    JSON.stringify({ id: 7, method: 'restart', params: { name: 'w' } }),
    JSON.stringify({ id: 8, method: 'status' }),
    JSON.stringify({ id: 9, method: 'scale', params: { name: 'w', instances: 'auto' } }),
  ]);
  const error = (i: number) => replies[i]?.error as { code: string; message: string } | undefined;
  assert.equal(error(0)?.code, 'USAGE');
  assert.match(error(0)?.message ?? '', /scale request: field "instances" must be an integer, got the string "3"/);
  assert.match(error(1)?.message ?? '', /restart request: field "name" must be a string, got nothing/);
  assert.match(error(2)?.message ?? '', /logs request: field "lines" must be an integer >= 1, got number 0/);
  assert.match(error(3)?.message ?? '', /status request: params must be an object/);
  assert.match(error(4)?.message ?? '', /unknown control method "explode"/);
  assert.deepEqual(
    replies.slice(5).map((r) => r.ok),
    [true, true, true, true],
  );
  assert.deepEqual(calls, [
    ['scale', { name: 'w', instances: 3 }],
    ['restart', { name: 'w' }],
    ['status', {}],
    ['scale', { name: 'w', instances: 'auto' }],
  ]);
  const [notJson] = await exchange(server.path, ['{oops']);
  assert.match((notJson?.error as { message?: string } | undefined)?.message ?? '', /request is not JSON/);
});
