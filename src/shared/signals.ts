// Signal names as people type them (`HUP`, `SIGHUP`, `hup`, `1`) to Node's names, for `gmsup signal`
// and the control request that carries it. Pure but for the platform's signal table.

import { constants } from 'node:os';

const SIGNALS = constants.signals as Readonly<Record<string, number>>;

/** Node's name of a signal (`SIGHUP`), or null when it is not one this platform knows. */
export function parseSignal(text: string): NodeJS.Signals | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    const name = Object.keys(SIGNALS).find((k) => SIGNALS[k] === n);
    return (name as NodeJS.Signals | undefined) ?? null;
  }
  const upper = t.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(SIGNALS, name) ? (name as NodeJS.Signals) : null;
}

/** Every signal name of this platform without the SIG prefix (`HUP`, `INT`, ...), for completion. */
export function signalNames(): string[] {
  return Object.keys(SIGNALS).map((k) => k.slice(3));
}
