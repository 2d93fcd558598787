/**
 * The one canonical spelling of a request target. Rules match it and the upstream
 * receives it, so no decision is made on a path other than the one forwarded.
 *
 * Accepted and normalised: percent-encoded unreserved characters are decoded, other
 * escapes upper-cased, repeated slashes merged, dot segments removed.
 * Refused (ambiguous between components): see RefusalReason.
 */
export interface CanonicalTarget {
  /** Canonical path, always starting with "/". */
  readonly path: string;
  /** Raw query including the leading "?", or "". Forwarded untouched. */
  readonly query: string;
}

export type RefusalReason =
  | 'empty-target'
  | 'asterisk-form'
  | 'absolute-form-other-host'
  | 'not-origin-form'
  | 'fragment'
  | 'backslash'
  | 'control-character'
  | 'path-parameter'
  | 'raw-character-not-allowed'
  | 'bad-percent-escape'
  | 'encoded-delimiter'
  | 'encoded-control-character'
  | 'invalid-utf8';

/** What a refused target's 400 says. */
export function refusalMessage(reason: RefusalReason): string {
  return `Malformed request URL: ${REFUSAL_TEXT[reason]}.`;
}

const REFUSAL_TEXT: Readonly<Record<RefusalReason, string>> = {
  'empty-target': 'empty request target',
  'asterisk-form': 'asterisk-form request target',
  'absolute-form-other-host': 'absolute-form request target naming another host',
  'not-origin-form': 'request target does not start with /',
  fragment: 'fragment (#) in request target',
  backslash: 'backslash in path',
  'control-character': 'control character in path',
  'path-parameter': 'path parameter (;) in path',
  'raw-character-not-allowed': 'character not allowed unencoded in a path',
  'bad-percent-escape': 'malformed percent-escape in path',
  'encoded-delimiter': 'percent-encoded / \\ ; ? or # in path',
  'encoded-control-character': 'percent-encoded control character in path',
  'invalid-utf8': 'percent-encoded bytes are not UTF-8',
};

export type CanonicalResult =
  | { readonly ok: true; readonly target: CanonicalTarget }
  | { readonly ok: false; readonly reason: RefusalReason };

/** `s`: the rest may hold any character, line breaks too, to be judged as origin-form would be. */
const ABSOLUTE_FORM = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
/** Raw path bytes allowed by RFC 3986 pchar, less ";" (path parameters are refused). */
const RAW_ALLOWED = /^[A-Za-z0-9\-._~!$&'()*+,=:@/%]*$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** Escapes whose decoded meaning differs between proxies and servers: / \ ; ? #. */
const ENCODED_DELIMITERS = new Set(['2F', '5C', '3B', '3F', '23']);

export function canonicalTarget(rawTarget: string, hostHeader: string | undefined): CanonicalResult {
  if (!rawTarget) return refuse('empty-target');
  if (rawTarget === '*') return refuse('asterisk-form');
  let target = rawTarget;
  const absolute = ABSOLUTE_FORM.exec(target);
  if (absolute) {
    const authority = absolute[2].toLowerCase();
    if (!hostHeader || authority !== hostHeader.toLowerCase()) return refuse('absolute-form-other-host');
    target = absolute[3] || '/';
  }
  if (target[0] !== '/') return refuse('not-origin-form');
  if (target.includes('#')) return refuse('fragment');
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  const path = canonicalPath(rawPath);
  if (typeof path !== 'string') return path;
  return { ok: true, target: { path, query } };
}

function refuse(reason: RefusalReason): CanonicalResult {
  return { ok: false, reason };
}

function canonicalPath(raw: string): string | CanonicalResult {
  if (raw.includes('\\')) return refuse('backslash');
  if (/[\x00-\x1f\x7f]/.test(raw)) return refuse('control-character');
  if (raw.includes(';')) return refuse('path-parameter');
  if (!RAW_ALLOWED.test(raw)) return refuse('raw-character-not-allowed');
  const decoded = normaliseEscapes(raw);
  if (typeof decoded !== 'string') return decoded;
  return removeDotSegments(decoded.replace(/\/{2,}/g, '/'));
}

function normaliseEscapes(raw: string): string | CanonicalResult {
  if (!raw.includes('%')) return raw;
  let out = '';
  const encodedBytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '%') {
      if (encodedBytes.length) {
        if (!validUtf8(encodedBytes)) return refuse('invalid-utf8');
        encodedBytes.length = 0;
      }
      out += c;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3).toUpperCase();
    if (!/^[0-9A-F]{2}$/.test(hex)) return refuse('bad-percent-escape');
    i += 2;
    const byte = parseInt(hex, 16);
    if (byte < 0x20 || byte === 0x7f) return refuse('encoded-control-character');
    if (ENCODED_DELIMITERS.has(hex)) return refuse('encoded-delimiter');
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(ch)) {
      if (encodedBytes.length) {
        if (!validUtf8(encodedBytes)) return refuse('invalid-utf8');
        encodedBytes.length = 0;
      }
      out += ch;
    } else {
      if (byte >= 0x80) encodedBytes.push(byte);
      else if (encodedBytes.length) {
        if (!validUtf8(encodedBytes)) return refuse('invalid-utf8');
        encodedBytes.length = 0;
      }
      out += '%' + hex;
    }
  }
  if (encodedBytes.length && !validUtf8(encodedBytes)) return refuse('invalid-utf8');
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function validUtf8(bytes: number[]): boolean {
  try {
    utf8.decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}

/** RFC 3986 §5.2.4 on a path that has no empty segments left. */
function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i];
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      if (i === last) out.push('');
      continue;
    }
    out.push(s);
  }
  return '/' + out.join('/');
}
