/**
 * Issue "Hardening", part 5: property-based tests (fast-check) of the request-header parser and
 * the path canonicaliser.
 *
 *  - Neither throws on arbitrary input, Latin-1 strings (what Node hands over) included.
 *  - canonicalTarget: idempotent; output starts with "/", has no "//", no dot segments, only
 *    upper-case escapes, no escaped unreserved characters; it means what the raw path means to a
 *    server that decodes, merges slashes and removes dot segments; any encoded / \ ; ? # or control,
 *    raw backslash, ";" or fragment is refused (the path corpus' refusals, generalised).
 *  - requestedVersionText / negotiateVersion: equal to a model written from microversion-parse's
 *    get_version and Nova's set_api_version_request (reference §1), with Python's whitespace.
 */
import fc from 'fast-check';
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalTarget } from '../../gateway/url/canonicalPath';
import { requestedVersionText } from '../../gateway/microversion/requestHeader';
import { negotiateVersion, type VersionRange } from '../../gateway/microversion/negotiate';
import { mustParseMicroversion } from '../../gateway/microversion/version';
import { NOVA_SERVICE } from '../../gateway/microversion/service';
import { rfcRemoveDotSegments } from './support/novaView';

const RUNS = { numRuns: 3000 };
const HOST = '127.0.0.1:8080';

const latin1 = (max = 60) => fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: max });

/** Path pieces that matter to canonicalisation, mixed with arbitrary Latin-1 noise. */
const pathPiece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/', '//', '.', '..', '/./', '/../', 'images', 'metadata', 'v2.1', 'c0ffee00', 'a', 'Z', '~', '-', '_', ':', '@', '!', '$', "'", '(', '*', '+', ',', '=', '&') },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xff }).chain((b) => fc.constantFrom(`%${b.toString(16).padStart(2, '0')}`, `%${b.toString(16).padStart(2, '0').toUpperCase()}`)) },
  { weight: 2, arbitrary: fc.constantFrom('%2e', '%2E', '%2f', '%2F', '%5c', '%3b', '%3F', '%23', '%25', '%C3%A9', '%c0%ae', '%E2%82%AC', '%F0%9F%98%80', '%ED%A0%80', '%', '%g1', ';', '\\', '#', '?', ' ', '\t') },
  { weight: 1, arbitrary: latin1(4) },
);
const pathLike = fc.array(pathPiece, { maxLength: 24 }).map((parts) => '/' + parts.join(''));

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

describe('canonicalTarget properties', () => {
  test('never throws, on arbitrary Latin-1, arbitrary Unicode and path-like input', () => {
    fc.assert(fc.property(fc.oneof(latin1(200), fc.string({ unit: 'binary', maxLength: 100 }), pathLike), fc.option(latin1(30)), (raw, host) => {
      canonicalTarget(raw, host ?? undefined);
    }), RUNS);
  });

  test('accepted output is canonical: starts with /, no //, no dot segments, upper-case escapes of non-unreserved bytes only', () => {
    fc.assert(fc.property(pathLike, (raw) => {
      const r = canonicalTarget(raw, HOST);
      if (!r.ok) return;
      const p = r.target.path;
      expect(p.startsWith('/')).toBe(true);
      expect(p.includes('//')).toBe(false);
      expect(p.split('/').some((s) => s === '.' || s === '..')).toBe(false);
      for (const m of p.matchAll(/%(..)/g)) {
        expect(m[1]).toMatch(/^[0-9A-F]{2}$/);
        expect(UNRESERVED.test(String.fromCharCode(parseInt(m[1], 16)))).toBe(false);
      }
      expect(p).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,=:@/%]*$/);
    }), RUNS);
  });

  test('idempotent: the canonical target canonicalises to itself', () => {
    fc.assert(fc.property(pathLike, fc.option(fc.constantFrom('?', '?a=1', '?x=%2F/../;')), (raw, query) => {
      const r = canonicalTarget(raw + (query ?? ''), HOST);
      if (!r.ok) return;
      const again = canonicalTarget(r.target.path + r.target.query, HOST);
      expect(again).toEqual(r);
    }), RUNS);
  });

  test('means what the raw path means to a server that decodes, merges slashes and removes dot segments', () => {
    const decode = (s: string) => Buffer.from(s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('latin1');
    fc.assert(fc.property(pathLike, (raw) => {
      const r = canonicalTarget(raw, HOST);
      if (!r.ok) return;
      const rawPath = raw.split('?', 1)[0];
      const expected = rfcRemoveDotSegments(decode(rawPath).replace(/\/{2,}/g, '/'));
      expect(decode(r.target.path)).toBe(expected);
    }), RUNS);
  });

  test('the query is forwarded exactly as sent', () => {
    fc.assert(fc.property(pathLike, fc.string({ unit: fc.constantFrom('a', '=', '&', '/', '.', '%', '2', 'F', ';', '?', '+'), maxLength: 20 }), (raw, q) => {
      const r = canonicalTarget(`${raw.replace(/[?#]/g, '')}?${q}`, HOST);
      if (r.ok) expect(r.target.query).toBe(`?${q}`);
    }), RUNS);
  });

  test('any encoded / \\ ; ? # (either case) or encoded control in the path is refused', () => {
    const dangerous = fc.constantFrom('%2F', '%2f', '%5C', '%5c', '%3B', '%3b', '%3F', '%3f', '%23', '%00', '%0a', '%0D', '%1f', '%7F', '%7f');
    fc.assert(fc.property(pathLike, dangerous, pathLike, (before, d, after) => {
      const target = before.replace(/[?#]/g, '') + d + after.replace(/[?#]/g, '');
      expect(canonicalTarget(target, HOST).ok).toBe(false);
    }), RUNS);
  });

  test('any raw backslash, ";" or control character in the path, or any "#", is refused', () => {
    const bad = fc.constantFrom('\\', ';', '#', '\x00', '\t', '\x1f', '\x7f');
    fc.assert(fc.property(pathLike, bad, pathLike, (before, b, after) => {
      const target = before.replace(/\?/g, '') + b + after;
      expect(canonicalTarget(target, HOST).ok).toBe(false);
    }), RUNS);
  });

  test('escapes that are not UTF-8 are refused; UTF-8 ones are kept, upper-cased', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 6 }), (bytes) => {
      const highOnly = [...bytes].map((b) => b | 0x80);
      const esc = highOnly.map((b) => '%' + b.toString(16)).join('');
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(highOnly));
      } catch {
        valid = false;
      }
      const r = canonicalTarget(`/v2.1/images/${esc}`, HOST);
      expect(r.ok).toBe(valid);
      if (r.ok) expect(r.target.path).toBe(`/v2.1/images/${esc.toUpperCase()}`);
    }), RUNS);
  });

  test('absolute-form: accepted only for the Host header\'s authority, then exactly like origin-form (refused when it is)', () => {
    fc.assert(fc.property(pathLike, fc.constantFrom('http', 'HTTP', 'https'), fc.constantFrom(HOST, HOST.toUpperCase(), 'evil.example', '127.0.0.1', `${HOST}.evil`), (p, scheme, authority) => {
      const r = canonicalTarget(`${scheme}://${authority}${p}`, HOST);
      const origin = canonicalTarget(p, HOST);
      if (authority.toLowerCase() !== HOST.toLowerCase()) expect(r.ok).toBe(false);
      else if (origin.ok) expect(r).toEqual(origin);
      else expect(r.ok).toBe(false);
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// The header parser against a model of microversion-parse's get_version (reference §1.2, the
// library's check_standard_header / check_legacy_headers) and Nova's set_api_version_request.

/** Python 3 str.isspace() for characters up to U+00FF: what str.split()/strip() use. */
const isPySpace = (c: string) => {
  const n = c.charCodeAt(0);
  return (n >= 0x09 && n <= 0x0d) || (n >= 0x1c && n <= 0x20) || n === 0x85 || n === 0xa0;
};

function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s[a])) a++;
  while (b > a && isPySpace(s[b - 1])) b--;
  return s.slice(a, b);
}

/** s.split(None, 1): runs of whitespace separate, leading whitespace skipped, at most two parts. */
function pySplitOnce(s: string): string[] {
  let i = 0;
  while (i < s.length && isPySpace(s[i])) i++;
  if (i === s.length) return [];
  let j = i;
  while (j < s.length && !isPySpace(s[j])) j++;
  const first = s.slice(i, j);
  while (j < s.length && isPySpace(s[j])) j++;
  return j < s.length ? [first, s.slice(j)] : [first];
}

/** ASCII-only lower(): enough, as only ASCII letters can lower to the ASCII service type. */
const pyLowerAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** microversion_parse.get_version(headers, 'compute', legacy_headers=[X-OpenStack-Nova-API-Version]). */
function modelGetVersion(headers: Record<string, string>, serviceType: string, legacyName: string): string | null {
  const folded: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) folded[k.toLowerCase()] = v;
  const standard = folded['openstack-api-version'];
  if (standard !== undefined) {
    const values = standard.split(',');
    for (let i = values.length - 1; i >= 0; i--) {
      const parts = pySplitOnce(pyStrip(values[i]));
      if (parts.length !== 2) continue;
      if (pyLowerAscii(parts[0]) === serviceType.toLowerCase()) {
        const v = pyStrip(parts[1]);
        if (v) return v;
        break;
      }
    }
  }
  const legacy = folded[legacyName.toLowerCase()];
  if (legacy !== undefined) {
    const values = legacy.split(',');
    return pyStrip(values[values.length - 1]);
  }
  return null;
}

type ModelOutcome = { ok: true; version: string } | { ok: false; status: 400 | 406; message: string; echo?: string };

/** Nova's Request.set_api_version_request + APIVersionRequest, with exact integers. */
function modelNegotiate(text: string | null, min: [bigint, bigint], max: [bigint, bigint]): ModelOutcome {
  const fmt = ([a, b]: [bigint, bigint]) => `${a}.${b}`;
  if (text === null) return { ok: true, version: fmt(min) };
  if (text === 'latest') return { ok: true, version: fmt(max) };
  const m = /^([1-9][0-9]*)\.([1-9][0-9]*|0)$/.exec(text);
  if (!m) return { ok: false, status: 400, message: `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.` };
  const v: [bigint, bigint] = [BigInt(m[1]), BigInt(m[2])];
  const cmp = (a: [bigint, bigint], b: [bigint, bigint]) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1);
  if (cmp(v, min) < 0 || cmp(v, max) > 0) {
    return { ok: false, status: 406, message: `Version ${fmt(v)} is not supported by the API. Minimum is ${fmt(min)} and maximum is ${fmt(max)}.`, echo: fmt(v) };
  }
  return { ok: true, version: fmt(v) };
}

/** Header values: version-ish tokens, separators and Latin-1 whitespace, plus arbitrary Latin-1. */
const token = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('compute', 'COMPUTE', 'Compute', 'volume', 'identity', 'comput', 'compute2.39', 'c\xf6mpute') },
  { weight: 6, arbitrary: fc.constantFrom('2.1', '2.38', '2.39', '2.40', '2.104', '2.0', '1.1', '3.0', '9.9', '2.01', '02.1', '2.1.3', '2', '.', 'latest', 'Latest', 'LATEST', 'abc', '2.99999999999999999999', '99999999999999999999.1') },
  { weight: 6, arbitrary: fc.constantFrom(' ', '  ', '\t', ',', ', ', ' ,', '\xa0', '\x85', '\x1c', '\x0b', '\x0c') },
  { weight: 1, arbitrary: latin1(3) },
);
const headerValue = fc.array(token, { maxLength: 10 }).map((t) => t.join(''));
/** Node trims leading/trailing spaces and tabs of a header value; repeated lines arrive joined with ", ". */
const nodeTrim = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

const LEGACY = NOVA_SERVICE.legacyHeader;

describe('header parser properties', () => {
  test('requestedVersionText never throws on arbitrary Latin-1 values, single or repeated', () => {
    fc.assert(fc.property(fc.option(fc.oneof(latin1(80), fc.array(latin1(20), { maxLength: 4 }))), fc.option(fc.oneof(latin1(80), fc.array(latin1(20), { maxLength: 4 }))), (std, leg) => {
      const headers: IncomingHttpHeaders = {};
      if (std !== null) headers['openstack-api-version'] = std as string;
      if (leg !== null) headers[LEGACY.toLowerCase()] = leg as string;
      requestedVersionText(headers, NOVA_SERVICE);
      negotiateVersion(headers, NOVA_SERVICE, { min: mustParseMicroversion('2.1'), max: mustParseMicroversion('2.39') });
    }), RUNS);
  });

  test('requestedVersionText equals microversion-parse\'s get_version (model), repeated lines folded', () => {
    const lines = fc.option(fc.array(headerValue, { minLength: 1, maxLength: 3 }));
    fc.assert(fc.property(lines, lines, (std, leg) => {
      const node: IncomingHttpHeaders = {};
      const wsgi: Record<string, string> = {};
      if (std) {
        node['openstack-api-version'] = std.map(nodeTrim).join(', ');
        wsgi['OpenStack-API-Version'] = std.map(nodeTrim).join(',');
      }
      if (leg) {
        node[LEGACY.toLowerCase()] = leg.map(nodeTrim).join(', ');
        wsgi[LEGACY] = leg.map(nodeTrim).join(',');
      }
      expect(requestedVersionText(node, NOVA_SERVICE) ?? null).toBe(modelGetVersion(wsgi, 'compute', LEGACY));
    }), { numRuns: 10_000 });
  });

  test('the same with header values given as arrays (how a caller may hand repeated lines over)', () => {
    fc.assert(fc.property(fc.array(headerValue, { minLength: 1, maxLength: 3 }), fc.option(headerValue), (std, leg) => {
      const node: IncomingHttpHeaders = { 'openstack-api-version': std as unknown as string };
      const wsgi: Record<string, string> = { 'OpenStack-API-Version': std.join(',') };
      if (leg !== null) {
        node[LEGACY.toLowerCase()] = leg;
        wsgi[LEGACY] = leg;
      }
      expect(requestedVersionText(node, NOVA_SERVICE) ?? null).toBe(modelGetVersion(wsgi, 'compute', LEGACY));
    }), RUNS);
  });

  test('negotiateVersion equals Nova\'s set_api_version_request (model) for any advertised maximum', () => {
    const maxMinor = fc.integer({ min: 1, max: 200 });
    fc.assert(fc.property(fc.option(headerValue), fc.option(headerValue), maxMinor, (std, leg, minor) => {
      const range: VersionRange = { min: mustParseMicroversion('2.1'), max: mustParseMicroversion(`2.${minor}`) };
      const node: IncomingHttpHeaders = {};
      const wsgi: Record<string, string> = {};
      if (std !== null) node['openstack-api-version'] = wsgi['OpenStack-API-Version'] = nodeTrim(std);
      if (leg !== null) node[LEGACY.toLowerCase()] = wsgi[LEGACY] = nodeTrim(leg);
      const got = negotiateVersion(node, NOVA_SERVICE, range);
      const want = modelNegotiate(modelGetVersion(wsgi, 'compute', LEGACY), [2n, 1n], [2n, BigInt(minor)]);
      const gotView = got.ok ? { ok: true, version: got.version.text } : got.status === 406 ? { ok: false, status: 406, message: got.message, echo: got.echo } : { ok: false, status: 400, message: got.message };
      expect(gotView).toEqual(want);
    }), { numRuns: 10_000 });
  });

  test('a negotiated version is always inside the range, and "latest" is its maximum', () => {
    fc.assert(fc.property(fc.option(headerValue), (std) => {
      const range: VersionRange = { min: mustParseMicroversion('2.1'), max: mustParseMicroversion('2.39') };
      const r = negotiateVersion(std === null ? {} : { 'openstack-api-version': std }, NOVA_SERVICE, range);
      if (r.ok) {
        expect(r.version.key).toBeGreaterThanOrEqual(range.min.key);
        expect(r.version.key).toBeLessThanOrEqual(range.max.key);
      }
    }), RUNS);
  });
});
