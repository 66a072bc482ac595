// Bench: a gmsup worker module that prints CHATTY_RATE lines a second (about 100 bytes each) while
// switched on. A job "on" starts it on stdout (through the daemon's log pipeline), "on-null" to /dev/null
// (the same work in this process, none in the daemon); "off" stops it and answers the lines/s printed.
import { openSync, writeSync } from 'node:fs';

const devNull = openSync('/dev/null', 'w');
const rate = Number(process.env.CHATTY_RATE ?? 50_000);
const TICK_MS = 5;
/** One tick never writes more than this, so a stalled pipe cannot make it catch up in one huge burst. */
const MAX_LINES_PER_TICK = Math.ceil((rate * TICK_MS) / 1000) * 4;
const pad = 'x'.repeat(70);
let timer = null;
let printed = 0;
let startedAtMs = 0;
let out = (text) => process.stdout.write(text);

function tick() {
  const due = Math.floor(((performance.now() - startedAtMs) / 1000) * rate) - printed;
  const n = Math.min(due, MAX_LINES_PER_TICK);
  if (n <= 0) return;
  let chunk = '';
  for (let i = 0; i < n; i++) chunk += `noise ${printed + i} ${pad}\n`;
  printed += n;
  out(chunk);
}

export default async function chatty(payload) {
  const what = payload.toString('utf8');
  if ((what === 'on' || what === 'on-null') && timer === null) {
    out = what === 'on' ? (text) => process.stdout.write(text) : (text) => writeSync(devNull, text);
    printed = 0;
    startedAtMs = performance.now();
    timer = setInterval(tick, TICK_MS);
    return 'on';
  }
  if (what === 'off' && timer !== null) {
    clearInterval(timer);
    timer = null;
    const seconds = (performance.now() - startedAtMs) / 1000;
    return String(Math.round(printed / seconds));
  }
  return timer === null ? 'off' : 'on';
}
