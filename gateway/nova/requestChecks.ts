import type { IncomingHttpHeaders } from 'node:http';

/** Media types Nova's wsgi.Request accepts for a request body. */
const SUPPORTED_CONTENT_TYPES = new Set(['application/json', 'application/vnd.openstack.compute+json']);

export const UNSUPPORTED_CONTENT_TYPE = 'Unsupported Content-Type';
export const MALFORMED_BODY = 'Malformed request body';

/**
 * Nova's Request.get_content_type: no header, an empty type or text/plain count as
 * "no content type" (fine); any other type outside the supported set is a 415.
 */
export function contentTypeRefused(headers: IncomingHttpHeaders): boolean {
  const header = headers['content-type'];
  if (header === undefined) return false;
  const mime = header.split(';', 1)[0].trim().toLowerCase();
  if (mime === '' || mime === 'text/plain') return false;
  return !SUPPORTED_CONTENT_TYPES.has(mime);
}

/** Nova decodes POST/PUT bodies only when Content-Length is present and non-zero. */
export function novaDecodesBody(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  if (method !== 'POST' && method !== 'PUT') return false;
  const length = headers['content-length'];
  return length !== undefined && length !== '0' && length !== '';
}

/**
 * Nova's action_peek: the body must decode to an object with exactly one member, whose
 * name is the action. Undefined when Nova would answer "Malformed request body".
 */
export function peekServerAction(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const keys = Object.keys(json);
  return keys.length === 1 ? keys[0] : undefined;
}

/** A version parameter on a media type makes Nova's urlmap pick an API by header, not path. */
export function mediaTypeSelectsVersion(headers: IncomingHttpHeaders): boolean {
  return hasVersionParam(headers['content-type']) || hasVersionParam(headers['accept']);
}

function hasVersionParam(value: string | undefined): boolean {
  return value !== undefined && /;\s*version\s*=/i.test(value);
}
