/**
 * One received HTTP request as the WSGI stack sees it (decoded PATH_INFO, webob's host_url
 * and URL quoting), plus the URL helpers Nova's view builders use.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface IncomingCall {
  readonly method: string;
  /** The request target exactly as received. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** webob host_url: scheme://Host (":80" dropped). */
  readonly hostUrl: string;
  /** Percent-decoded path (PATH_INFO as the WSGI server hands it over). */
  readonly path: string;
  /** Raw query string without "?" ("" when absent). */
  readonly query: string;
}

export async function readCall(req: IncomingMessage): Promise<IncomingCall> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const target = req.url ?? '/';
  const { path, query } = splitTarget(target);
  return {
    method: req.method ?? 'GET',
    target,
    headers: req.headers,
    rawHeaders: [...req.rawHeaders],
    body: Buffer.concat(chunks),
    hostUrl: hostUrl(req),
    path: percentDecode(path),
    query,
  };
}

function splitTarget(target: string): { path: string; query: string } {
  let t = target;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(t);
  if (absolute) t = t.slice(absolute[0].length) || '/';
  const q = t.indexOf('?');
  return q < 0 ? { path: t, query: '' } : { path: t.slice(0, q), query: t.slice(q + 1) };
}

function hostUrl(req: IncomingMessage): string {
  const host = req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 80}`;
  const colon = host.indexOf(':');
  const name = colon < 0 ? host : host.slice(0, colon);
  const port = colon < 0 ? undefined : host.slice(colon + 1);
  return `http://${name}${port && port !== '80' ? ':' + port : ''}`;
}

/** %XX-decoding to UTF-8 text (invalid sequences become U+FFFD). */
export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** paste.urlmap's normalize_url: runs of slashes become one. */
export function mergeSlashes(path: string): string {
  return path.replace(/\/\/+/g, '/');
}

const PATH_SAFE = new Set("/~!$&'()*+,;=:@-._".split(''));

/** webob's url_quote(path, PATH_SAFE). */
export function quotePath(path: string): string {
  let out = '';
  for (const b of Buffer.from(path, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9]/.test(c) || PATH_SAFE.has(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** nova.api.openstack.common.url_join */
export function urlJoin(...parts: string[]): string {
  const clean = parts.filter((p) => p).map((p) => p.replace(/^\/+|\/+$/g, ''));
  if (!parts[parts.length - 1]) clean.push('');
  return clean.join('/');
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}
