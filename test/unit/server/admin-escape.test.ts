// Function names, client ids and uniques are bytes a peer chose: in the text admin replies they must not
// forge lines or columns for scripts that parse `status`/`workers` (issue 11 defect 3). Control bytes and
// backslashes are written as \xHH; in `workers` a space inside a function name is too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketType as T } from '../../../src/protocol/packet-types.js';
import { runAdminCommand } from '../../../src/server/admin-commands.js';
import { setup } from './harness.js';

const FORGED = 'evil\n.\nfake\t9\t9\t9\0tail';

test('a function name with newline, tab and NUL cannot add lines or columns to status', () => {
  const { state, conn } = setup();
  const w = conn();
  w.send(T.SET_CLIENT_ID, 'id\nwith\tcontrol');
  w.send(T.CAN_DO, FORGED);
  w.send(T.CAN_DO, 'two words');
  const status = runAdminCommand(state, 'status') ?? '';
  assert.deepEqual(status.split('\n'), [
    'evil\\x0a.\\x0afake\\x099\\x099\\x099\\x00tail\t0\t0\t1',
    'two words\t0\t0\t1',
    '.',
    '',
  ]);
  const priority = runAdminCommand(state, 'prioritystatus') ?? '';
  assert.equal(priority.split('\n').length, 4);
  const workers = runAdminCommand(state, 'workers') ?? '';
  assert.equal(
    workers,
    `1 127.0.0.1 id\\x0awith\\x09control : two\\x20words evil\\x0a.\\x0afake\\x099\\x099\\x099\\x00tail\n.\n`,
  );
});

test('uniques in show unique jobs are escaped; plain names and ids are printed as they are', () => {
  const { state, conn } = setup();
  const c = conn();
  c.send(T.SUBMIT_JOB_BG, 'plain_fn', 'u\nforged', 'x');
  c.send(T.SUBMIT_JOB_BG, 'plain_fn', 'back\\slash', 'y');
  assert.equal(runAdminCommand(state, 'show unique jobs'), 'u\\x0aforged\nback\\x5cslash\n.\n');
  assert.equal(runAdminCommand(state, 'status'), 'plain_fn\t2\t0\t0\n.\n');
});
