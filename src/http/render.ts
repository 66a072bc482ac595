// HTTP answers for a submission's outcome: gearmand's shape on its routes (200 with X-Gearman-Command
// for every job outcome, the result as the body) and JSON on /v1 (status codes by outcome, binary
// fields as UTF-8 text or base64). Pure.

import { isUtf8 } from 'node:buffer';
import type { Collected, Outcome } from './job-call.js';
import type { Api } from './routes.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Seconds a client should wait before retrying a refused submission (queue full, store failing, closing). */
export const RETRY_AFTER_S = 1;

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';

export function textAnswer(status: number, message: string, extra: Record<string, string> = {}): Answer {
  return { status, headers: { 'Content-Type': TEXT, ...extra }, body: Buffer.from(`${message}\n`) };
}

export function jsonAnswer(status: number, value: unknown, extra: Record<string, string> = {}): Answer {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...extra }, body: Buffer.from(`${JSON.stringify(value)}\n`) };
}

/** A refused request (bad input, unknown route) in the route's format. */
export function errorAnswer(api: Api, status: number, message: string, extra: Record<string, string> = {}): Answer {
  return api === 'v1' ? jsonAnswer(status, { error: message }, extra) : textAnswer(status, message, extra);
}

/** HTTP status of an ERROR packet: QUEUE_ERROR (queue full, store failing) is temporary. */
function rejectedStatus(code: string): number {
  if (code === 'QUEUE_ERROR') return 503;
  if (code === 'ARGUMENT_TOO_LARGE') return 400;
  return 500;
}

function rejectedHeaders(code: string): Record<string, string> {
  const h: Record<string, string> = { 'X-Gearman-Command': 'ERROR', 'X-Gearman-Error': code };
  if (code === 'QUEUE_ERROR') h['Retry-After'] = String(RETRY_AFTER_S);
  return h;
}

function timeoutMessage(handle: string | null): string {
  const which = handle === null ? 'the job was not even created' : `job ${handle} did not finish`;
  return `${which} within the request's timeout; a job still queued was dropped, a running one ends unobserved`;
}

/** gearmand's answer shape: 200 and X-Gearman-Command for every job outcome; the body is the result. */
export function gearmandAnswer(o: Outcome): Answer {
  const ok = (command: string, handle: string, body: Buffer): Answer => ({
    status: 200,
    headers: {
      'X-Gearman-Job-Handle': handle,
      'X-Gearman-Command': command,
      'Content-Type': 'application/octet-stream',
    },
    body,
  });
  switch (o.status) {
    case 'complete':
      // gearmand meant to send the WORK_DATA chunks ahead of the result (its code corrupts them): done here.
      return ok('WORK_COMPLETE', o.handle, Buffer.concat([...o.collected.data, o.result]));
    case 'exception':
      return ok('WORK_EXCEPTION', o.handle, o.result);
    case 'failed':
      return ok('WORK_FAIL', o.handle, Buffer.alloc(0));
    case 'queued':
      return ok('JOB_CREATED', o.handle, Buffer.alloc(0));
    case 'rejected':
      return textAnswer(
        rejectedStatus(o.code),
        `the job server refused the job: ${o.code} ${o.text}`,
        rejectedHeaders(o.code),
      );
    case 'timeout':
      return textAnswer(504, timeoutMessage(o.handle), o.handle === null ? {} : { 'X-Gearman-Job-Handle': o.handle });
    case 'too-large':
      return textAnswer(502, 'the job streamed more than the response limit', jobHandleHeader(o.handle));
  }
}

function jobHandleHeader(handle: string | null): Record<string, string> {
  return handle === null ? {} : { 'X-Gearman-Job-Handle': handle };
}

/** `utf8` when every binary field is valid UTF-8 (and base64 was not asked for), else `base64`. */
function chooseEncoding(fields: Buffer[], forceBase64: boolean): 'utf8' | 'base64' {
  if (forceBase64) return 'base64';
  return fields.every((b) => isUtf8(b)) ? 'utf8' : 'base64';
}

/** /v1's JSON answer: {handle, status, result, encoding, data, warnings, progress, error}. */
export function jsonOutcomeAnswer(o: Outcome, forceBase64: boolean): Answer {
  const collected: Collected | null = 'collected' in o ? o.collected : null;
  const result = o.status === 'complete' || o.status === 'exception' ? o.result : null;
  const binary = [...(collected?.data ?? []), ...(collected?.warnings ?? []), ...(result === null ? [] : [result])];
  const encoding = chooseEncoding(binary, forceBase64);
  const enc = (b: Buffer): string => b.toString(encoding);
  const handle = 'handle' in o ? o.handle : null;
  let status = 200;
  let error: string | null = null;
  let extra: Record<string, string> = {};
  if (o.status === 'queued') status = 202;
  else if (o.status === 'failed') {
    status = 502;
    error = 'the job failed (WORK_FAIL)';
  } else if (o.status === 'exception') {
    status = 502;
    error = 'the worker raised an exception (WORK_EXCEPTION); its text is the result';
  } else if (o.status === 'timeout') {
    status = 504;
    error = timeoutMessage(o.handle);
  } else if (o.status === 'too-large') {
    status = 502;
    error = 'the job streamed more than the response limit';
  } else if (o.status === 'rejected') {
    status = rejectedStatus(o.code);
    error = `the job server refused the job: ${o.code} ${o.text}`;
    extra = rejectedHeaders(o.code);
  }
  if (handle !== null) extra['X-Gearman-Job-Handle'] = handle;
  return jsonAnswer(
    status,
    {
      handle,
      status: o.status,
      result: result === null ? null : enc(result),
      encoding,
      data: (collected?.data ?? []).map(enc),
      warnings: (collected?.warnings ?? []).map(enc),
      progress: collected?.progress ? { numerator: collected.progress[0], denominator: collected.progress[1] } : null,
      error,
    },
    extra,
  );
}
