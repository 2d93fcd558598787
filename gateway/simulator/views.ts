/**
 * Link building of Nova's common.ViewBuilder (nova/api/openstack/common.py): self links under
 * the application URL, bookmark links without the version, the project id only when it
 * appears in the request URL, and `*_links` "next" links for paging.
 */
import { FaultError } from './reply';
import { urlJoin } from './request';
import type { ApiRequest } from './resource';

const MAX_LIMIT = 1000;

export function projectIdForLinks(req: ApiRequest): string {
  const project = req.auth?.projectId;
  return project && req.url.includes(project) ? project : '';
}

/** common.remove_trailing_version_from_href */
export function removeTrailingVersion(href: string): string {
  const u = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(.*)$/i.exec(href);
  const origin = u ? u[1] : '';
  const path = u ? u[2] : href;
  const cut = path.lastIndexOf('/');
  const last = path.slice(cut + 1);
  if (!/^v([0-9]+|[0-9]+\.[0-9]+)(\/.*|$)/.test(last)) throw new FaultError(500);
  const joined = urlJoin(path.slice(0, Math.max(cut, 0)));
  return origin + (joined && !joined.startsWith('/') ? '/' + joined : joined);
}

export function hrefLink(req: ApiRequest, id: string, collection: string): string {
  return urlJoin(req.applicationUrl, projectIdForLinks(req), collection, id);
}

export function bookmarkLink(req: ApiRequest, id: string, collection: string): string {
  return urlJoin(removeTrailingVersion(req.applicationUrl), projectIdForLinks(req), collection, id);
}

export function selfAndBookmark(req: ApiRequest, id: string, collection: string): Array<Record<string, string>> {
  return [
    { rel: 'self', href: hrefLink(req, id, collection) },
    { rel: 'bookmark', href: bookmarkLink(req, id, collection) },
  ];
}

/** Python urllib.parse.quote_plus */
function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%7E/g, '~');
}

/** _get_collection_links: a "next" link when the page is full. */
export function collectionLinks(
  req: ApiRequest,
  itemIds: readonly string[],
  collection: string,
): Array<Record<string, string>> {
  const limitParam = req.params.get('limit');
  const maxItems = Math.min(limitParam === null ? MAX_LIMIT : Number(limitParam), MAX_LIMIT);
  if (!maxItems || maxItems !== itemIds.length) return [];
  const params = new Map<string, string>();
  for (const [k, v] of [...req.params.entries()].sort((a, b) => (a[0] === b[0] ? cmp(a[1], b[1]) : cmp(a[0], b[0])))) {
    params.set(k, v);
  }
  params.set('marker', itemIds[itemIds.length - 1]);
  const query = [...params.entries()].map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');
  const url = urlJoin(req.applicationUrl, projectIdForLinks(req), collection);
  return [{ rel: 'next', href: `${url}?${query}` }];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** common.get_pagination_params for limit/marker: integers ≥ 0. */
export function paginationParams(req: ApiRequest): { limit?: number; marker?: string } {
  const out: { limit?: number; marker?: string } = {};
  const limit = req.params.get('limit');
  if (limit !== null) out.limit = nonNegativeInt(limit, 'limit');
  const marker = req.params.get('marker');
  if (marker !== null) out.marker = marker;
  return out;
}

function nonNegativeInt(value: string, name: string): number {
  const t = value.trim();
  if (!/^[-+]?\d+$/.test(t)) throw new FaultError(400, `Invalid input received: ${name} must be an integer`);
  const n = Number(t);
  if (n < 0) throw new FaultError(400, `Invalid input received: ${name} must be >= 0`);
  return n;
}

/** Applies marker/limit paging to ids in listing order; unknown marker → 400. */
export function page<T extends { id: string }>(items: readonly T[], limit: number | undefined, marker: string | undefined): T[] {
  let start = 0;
  if (marker !== undefined) {
    const i = items.findIndex((x) => x.id === marker);
    if (i < 0) throw new FaultError(400, `marker [${marker}] not found`);
    start = i + 1;
  }
  const end = limit === undefined ? undefined : start + Math.min(limit, MAX_LIMIT);
  return items.slice(start, end ?? start + MAX_LIMIT);
}
