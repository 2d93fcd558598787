import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import {
  askHeaders, describeAsk, type At, type BodyExpectation, type ConformanceCase, type Expectation, type VersionAsk,
} from './cases';

/** One server the cases run against. */
export interface Side {
  readonly name: string;
  readonly baseUrl: string;
  /** Its maximum microversion (the advertised one for a gateway). */
  readonly max: string;
  readonly token: string;
  /** Back to the seeded image and server. */
  reset(): Promise<void>;
  /** Send this instead of "latest" (a native Nova compared at 2.39). */
  readonly latestAs?: string;
}

export interface Observed {
  readonly status: number;
  /** Header lines as received, names lower-cased. */
  readonly headers: [string, string][];
  readonly body: Buffer;
}

export function header(o: Observed, name: string): string[] {
  return o.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** The version an ask resolves to on a side, or undefined when the side cannot serve it natively. */
export function resolveAsk(side: Side, ask: VersionAsk): At | undefined {
  if (ask.form === 'none') return at('2.1');
  const value = ask.value === 'latest' ? side.latestAs ?? side.max : ask.value;
  return minor(value) > minor(side.max) ? undefined : at(value);
}

function at(version: string): At {
  return { version, minor: minor(version) };
}

function minor(v: string): number {
  return Number(v.split('.')[1]);
}

export function headersFor(side: Side, ask: VersionAsk): Record<string, string> {
  if (ask.form !== 'none' && ask.value === 'latest' && side.latestAs) return askHeaders({ ...ask, value: side.latestAs });
  return askHeaders(ask);
}

export async function send(side: Side, c: Pick<ConformanceCase, 'method' | 'path' | 'body' | 'headers'>, extra: Record<string, string>): Promise<Observed> {
  const url = new URL(c.path, side.baseUrl);
  const headers: Record<string, string> = { 'X-Auth-Token': side.token, Accept: 'application/json' };
  if (c.body !== undefined) headers['Content-Type'] = 'application/json';
  Object.assign(headers, c.headers, extra);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: c.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const lines: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode!, headers: lines, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${c.method} ${url} timed out`)));
    req.end(c.body);
  });
}

/** Every way the observed answer differs from the expectation (empty: conforms). */
export function differences(observed: Observed, expected: Expectation): string[] {
  const out: string[] = [];
  if (observed.status !== expected.status) out.push(`status ${observed.status}, expected ${expected.status}`);
  out.push(...versionHeaderDifferences(observed, expected.versionHeaders));
  if (expected.body) out.push(...bodyDifferences(observed.body, expected.body));
  if (expected.location !== undefined) {
    const location = header(observed, 'location')[0];
    if (expected.location === null && location !== undefined) out.push(`Location ${location}, expected none`);
    if (expected.location && !(location && expected.location.test(location))) out.push(`Location ${location}, expected ${expected.location}`);
  }
  return out;
}

function versionHeaderDifferences(o: Observed, version: string | null): string[] {
  const std = header(o, 'openstack-api-version');
  const legacy = header(o, 'x-openstack-nova-api-version');
  const vary = header(o, 'vary').flatMap((v) => v.split(',').map((x) => x.trim().toLowerCase()));
  if (version === null) {
    const present = [...std, ...legacy, ...vary.filter((v) => v === 'openstack-api-version' || v === 'x-openstack-nova-api-version')];
    return present.length ? [`version headers present (${present.join(', ')}), expected none`] : [];
  }
  const out: string[] = [];
  if (std.length !== 1 || std[0] !== `compute ${version}`) out.push(`OpenStack-API-Version ${JSON.stringify(std)}, expected "compute ${version}"`);
  if (legacy.length !== 1 || legacy[0] !== version) out.push(`X-OpenStack-Nova-API-Version ${JSON.stringify(legacy)}, expected "${version}"`);
  if (!vary.includes('openstack-api-version') || !vary.includes('x-openstack-nova-api-version')) out.push(`Vary ${JSON.stringify(vary)} lacks the version headers`);
  return out;
}

function bodyDifferences(body: Buffer, expected: BodyExpectation): string[] {
  const text = body.toString('utf8');
  switch (expected.kind) {
    case 'empty':
      return body.length === 0 ? [] : [`body ${short(text)}, expected empty`];
    case 'text-starts':
      return text.startsWith(expected.prefix) ? [] : [`body ${short(text)}, expected to start with ${JSON.stringify(expected.prefix)}`];
    default: {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return [`body ${short(text)} is not JSON`];
      }
      if (expected.kind === 'json') return isDeepStrictEqual(parsed, expected.value) ? [] : [`body ${short(text)}, expected ${short(JSON.stringify(expected.value))}`];
      if (expected.kind === 'check') return expected.test(parsed) ? [] : [`body ${short(text)} is not ${expected.describe}`];
      const f = (parsed as Record<string, { code?: unknown; message?: unknown }>)[expected.name];
      const keys = parsed && typeof parsed === 'object' ? Object.keys(parsed) : [];
      if (!f || keys.length !== 1 || f.code !== expected.status) return [`body ${short(text)}, expected a ${expected.name} ${expected.status} fault`];
      if (expected.message !== undefined && f.message !== expected.message) return [`message ${JSON.stringify(f.message)}, expected ${JSON.stringify(expected.message)}`];
      return [];
    }
  }
}

function short(s: string): string {
  return s.length > 300 ? JSON.stringify(s.slice(0, 300) + '…') : JSON.stringify(s);
}

export function caseTitle(c: ConformanceCase, ask: VersionAsk): string {
  return `§10 row ${c.row} ${c.title} (${c.method} ${c.path}) at ${describeAsk(ask)}`;
}

/**
 * What a client can compare between two answers once ids, timestamps, request ids and
 * URL hosts are set aside: status, JSON body, version headers (names case-insensitive).
 */
export function comparable(o: Observed): { status: number; versionHeaders: Record<string, string[]>; body: unknown; location?: string } {
  const text = o.body.toString('utf8');
  let body: unknown = normalise(text);
  try {
    body = normaliseJson(JSON.parse(text));
  } catch {
    // not JSON: compared as normalised text
  }
  const location = header(o, 'location')[0];
  return {
    status: o.status,
    versionHeaders: {
      'openstack-api-version': header(o, 'openstack-api-version'),
      'x-openstack-nova-api-version': header(o, 'x-openstack-nova-api-version'),
    },
    body,
    ...(location ? { location: normalise(location) } : {}),
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g;
const ORIGIN = /https?:\/\/[^/\s"]+/g;

function normalise(s: string): string {
  return s.replace(ORIGIN, 'http://HOST').replace(UUID, '<uuid>').replace(TIMESTAMP, '<time>');
}

function normaliseJson(v: unknown): unknown {
  if (typeof v === 'string') return normalise(v);
  if (Array.isArray(v)) return v.map(normaliseJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normaliseJson(x)]));
  return v;
}
