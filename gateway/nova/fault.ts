import { pythonJsonDumps } from './pythonJson';

/** Nova's Fault name table (nova/api/openstack/wsgi.py); every other code is computeFault. */
const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

/** WebOb's default explanations (whitespace-normalised as webob.exc does at import). */
const WEBOB_EXPLANATIONS: Readonly<Record<number, string>> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  401:
    'This server could not verify that you are authorized to access the document you requested. ' +
    'Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand ' +
    'how to supply the credentials required.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  408: 'The server has waited too long for the request to be sent by the client.',
  409: 'There was a conflict when trying to complete your request.',
  410: 'This resource is no longer available. No forwarding address is given.',
  411: 'Content-Length header required.',
  412: 'Request precondition failed.',
  413: 'The body of your request was too large for this server.',
  414: 'The request URI was too long for this server.',
  429: 'The client has sent too many requests in a given amount of time',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  502: 'Bad gateway.',
  503: 'The server is currently unavailable. Please try again at a later time.',
  504: 'The gateway has timed out.',
};

export const FAULT_CONTENT_TYPE = 'application/json; charset=UTF-8';

export function faultName(status: number): string {
  return FAULT_NAMES[status] ?? 'computeFault';
}

export function defaultFaultMessage(status: number): string | undefined {
  return WEBOB_EXPLANATIONS[status];
}

export function hasDefaultFaultMessage(status: number): boolean {
  return status in WEBOB_EXPLANATIONS;
}

/** The exact bytes of a Nova fault body: {"<name>": {"code": N, "message": "..."}}. */
export function faultBody(status: number, message?: string): string {
  const text = message ?? defaultFaultMessage(status) ?? '';
  return pythonJsonDumps({ [faultName(status)]: { code: status, message: text } });
}

/**
 * Nova's answer to an exception no controller expected (wsgi.expected_errors): 500
 * computeFault naming the exception class, with the release's support text (Zed's here).
 */
export const UNEXPECTED_API_ERROR_PREFIX =
  'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.';

export function unexpectedApiError(exceptionClass: string): string {
  return faultBody(500, `${UNEXPECTED_API_ERROR_PREFIX}\n<class '${exceptionClass}'>`);
}
