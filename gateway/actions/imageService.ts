import { escapeToken } from '../rules/pointer';

export type PropertyWriteOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: 'refused'; readonly status: number; readonly detail: string }
  | { readonly ok: false; readonly kind: 'unreachable'; readonly detail: string };

/** Glance v2: JSON-patch image properties with the caller's token. */
export class ImageService {
  constructor(private readonly timeoutMs: number) {}

  async addProperties(base: URL, imageId: string, properties: Record<string, unknown>, token: string | undefined): Promise<PropertyWriteOutcome> {
    const patch = Object.entries(properties).map(([k, v]) => ({ op: 'add', path: '/' + escapeToken(k), value: v }));
    return this.call(base, imageId, 'PATCH', JSON.stringify(patch), token);
  }

  async deleteImage(base: URL, imageId: string, token: string | undefined): Promise<PropertyWriteOutcome> {
    return this.call(base, imageId, 'DELETE', undefined, token);
  }

  private async call(base: URL, imageId: string, method: string, body: string | undefined, token: string | undefined): Promise<PropertyWriteOutcome> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/openstack-images-v2.1-json-patch';
    if (token !== undefined) headers['X-Auth-Token'] = token;
    const url = new URL(`${base.pathname.replace(/\/+$/, '')}/v2/images/${encodeURIComponent(imageId)}`, base);
    try {
      const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      const detail = await res.text();
      if (res.status >= 200 && res.status < 300) return { ok: true };
      if (res.status >= 500) return { ok: false, kind: 'unreachable', detail: `${method} ${url} answered ${res.status}` };
      return { ok: false, kind: 'refused', status: res.status, detail: detail.slice(0, 500) };
    } catch (err) {
      return { ok: false, kind: 'unreachable', detail: `${method} ${url}: ${(err as Error).message}` };
    }
  }
}

/**
 * The Image service endpoint: the configured one, else derived from a Location such as
 * "<glance>/images/<id>" (createImage). A Location into the compute API itself
 * ("/v2.1/images/<id>", createBackup) says nothing of where Glance is.
 */
export function imageServiceFromLocation(location: string | undefined): URL | undefined {
  if (!location) return undefined;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  const m = /^(.*?)(?:\/v2)?\/images\/[^/]+$/.exec(url.pathname);
  if (!m || /\/v2(\.1)?(\/[0-9a-f-]+)?$/.test(m[1]) || /\/v2\.1(\/|$)/.test(m[1])) return undefined;
  return new URL(m[1] || '/', url.origin);
}

export function imageIdFromAnswer(location: string | undefined, body: Buffer): string | undefined {
  if (location) {
    const m = /\/images\/([^/?#]+)\/?$/.exec(location.split('?')[0]);
    if (m) return decodeURIComponent(m[1]);
  }
  if (body.length) {
    try {
      const json = JSON.parse(body.toString('utf8')) as { image_id?: unknown };
      if (typeof json.image_id === 'string') return json.image_id;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
