// Parsing and printing job-server addresses: `host:port`, `[v6]:port`, and comma-separated lists.

import { GmsupError } from './errors.js';

export const DEFAULT_GEARMAN_PORT = 4730;
/** Where gmsup listens and connects when nothing is given: loopback only, like everything by default. */
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_ADDRESS = `${DEFAULT_SERVER_HOST}:${DEFAULT_GEARMAN_PORT}`;

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(text: string, defaultPort = DEFAULT_GEARMAN_PORT): HostPort {
  const s = text.trim();
  if (s === '') throw new GmsupError('USAGE', 'empty server address');
  let host: string;
  let portText: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw new GmsupError('USAGE', `bad server address ${JSON.stringify(text)}: missing ]`);
    host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':'))
      throw new GmsupError('USAGE', `bad server address ${JSON.stringify(text)}`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon >= 0 && s.indexOf(':') !== colon) {
      host = s; // bare IPv6 without brackets and without port
    } else if (colon >= 0) {
      host = s.slice(0, colon);
      portText = s.slice(colon + 1);
    } else {
      host = s;
    }
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText)) throw new GmsupError('USAGE', `bad port in server address ${JSON.stringify(text)}`);
    port = Number(portText);
  }
  if (port < 0 || port > 65535) throw new GmsupError('USAGE', `port out of range in ${JSON.stringify(text)}`);
  if (host === '') host = '127.0.0.1';
  return { host, port };
}

export function parseServerList(text: string): HostPort[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => parseHostPort(s));
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
