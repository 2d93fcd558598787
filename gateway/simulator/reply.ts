/**
 * Responses as ordered header lists (so repeated headers such as the two Vary lines stay
 * separate and keep Nova's spelling) plus the exact body bytes.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FAULT_CONTENT_TYPE, faultBody } from '../nova/fault';
import { pythonJsonDumps } from '../nova/pythonJson';

export type HeaderList = Array<[string, string]>;

export interface Reply {
  status: number;
  headers: HeaderList;
  body: Buffer;
}

export const JSON_TYPE = 'application/json';
const TEXT_HTML = 'text/html; charset=UTF-8';

export function reply(status: number, headers: HeaderList, body: string | Buffer = ''): Reply {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { status, headers: [...headers, ['Content-Length', String(bytes.length)]], body: bytes };
}

/** A serialised controller result: `Content-Type` is the negotiated type, no charset. */
export function jsonReply(status: number, value: unknown, contentType = JSON_TYPE): Reply {
  return reply(status, [['Content-Type', contentType]], value === null ? '' : pythonJsonDumps(value));
}

/** A body-less result (`ResponseObject(None)`, e.g. 204 or a 202 action). */
export function emptyReply(status: number, contentType = JSON_TYPE): Reply {
  return reply(status, [['Content-Type', contentType]]);
}

/** A `webob.Response(status_int=...)` returned by a controller: WebOb's default type. */
export function webobEmptyReply(status: number, extra: HeaderList = []): Reply {
  return reply(status, [['Content-Type', TEXT_HTML], ...extra]);
}

/** Nova's wsgi.Fault body and type. */
export function faultReply(status: number, message?: string): Reply {
  return reply(status, [['Content-Type', FAULT_CONTENT_TYPE]], faultBody(status, message));
}

export function notFound(): Reply {
  return faultReply(404);
}

/** Thrown by handlers to answer with a Nova Fault (webob.exc.HTTP<Status>(explanation=...)). */
export class FaultError extends Error {
  constructor(
    readonly status: number,
    readonly explanation?: string,
  ) {
    super(explanation ?? String(status));
  }
}

export function addHeaders(r: Reply, headers: HeaderList): Reply {
  return { ...r, headers: [...r.headers, ...headers] };
}

export function withoutHeaders(r: Reply, names: readonly string[]): Reply {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return { ...r, headers: r.headers.filter(([k]) => !drop.has(k.toLowerCase())) };
}

/** oslo.middleware RequestId as subclassed by Nova's compute_req_id. */
export function withRequestId(r: Reply, compat: readonly string[] = ['x-compute-request-id']): Reply {
  const id = `req-${randomUUID()}`;
  return addHeaders(r, [['x-openstack-request-id', id], ...compat.map((h): [string, string] => [h, id])]);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  413: 'Request Entity Too Large',
};

export function send(res: ServerResponse, r: Reply): void {
  const flat: string[] = [];
  for (const [k, v] of r.headers) flat.push(k, v);
  res.sendDate = true;
  res.writeHead(r.status, STATUS_TEXT[r.status] ?? undefined, flat);
  res.end(r.body);
}
