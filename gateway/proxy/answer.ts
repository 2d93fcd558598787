import { randomUUID } from 'node:crypto';
import type { ServerResponse, OutgoingHttpHeaders } from 'node:http';
import { FAULT_CONTENT_TYPE, faultBody } from '../nova/fault';
import { versionHeaders, type VersionHeaderSet } from '../microversion/responseHeaders';

/** Answers the gateway makes itself, shaped as Nova's: fault body, request ids, version headers. */
export class GatewayAnswers {
  constructor(private readonly versionHeaderSet: VersionHeaderSet) {}

  /** A Nova fault; version headers only when a version is given (Nova: once the request version is known). */
  fault(res: ServerResponse, status: number, message?: string, version?: string, extra?: OutgoingHttpHeaders): void {
    this.send(res, status, Buffer.from(faultBody(status, message)), FAULT_CONTENT_TYPE, version, extra);
  }

  /** A pre-serialised fault body (compiled at rule-load time). */
  faultBytes(res: ServerResponse, status: number, body: Buffer, version?: string, extra?: OutgoingHttpHeaders): void {
    this.send(res, status, body, FAULT_CONTENT_TYPE, version, extra);
  }

  send(
    res: ServerResponse,
    status: number,
    body: Buffer,
    contentType: string,
    version?: string,
    extra?: OutgoingHttpHeaders,
  ): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const requestId = `req-${randomUUID()}`;
    const headers: OutgoingHttpHeaders = {
      'Content-Type': contentType,
      'Content-Length': body.length,
      ...(version === undefined ? {} : versionHeaders(this.versionHeaderSet, version)),
      ...extra,
      'x-openstack-request-id': requestId,
      'x-compute-request-id': requestId,
    };
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    res.writeHead(status);
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }
}

/** WebOb's plain-text 404 as Nova's router writes it (no version headers). */
export const ROUTER_NOT_FOUND_BODY = Buffer.from('404 Not Found\n\nThe resource could not be found.\n\n   ');
export const ROUTER_NOT_FOUND_TYPE = 'text/plain; charset=UTF-8';
