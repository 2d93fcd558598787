/**
 * JSON values as Python's json.loads produces them, so that the simulator sees request
 * bodies exactly as Nova does: dicts keep key order (including integer-like keys, which a
 * plain JS object would move to the front), floats stay distinct from ints (jsonschema's
 * draft-4 "integer" refuses 1.0), NaN/Infinity are accepted, and the text must be UTF-8.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

export class PyDict {
  readonly map = new Map<string, PyValue>();
  get size(): number {
    return this.map.size;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  get(key: string): PyValue | undefined {
    return this.map.get(key);
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
  entries(): Array<[string, PyValue]> {
    return [...this.map.entries()];
  }
}

export type PyValue = null | boolean | string | number | bigint | PyFloat | PyValue[] | PyDict;

export class PyJsonError extends Error {}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** jsonutils.loads(bytes): UTF-8 decode (strict), then json.loads. */
export function pyJsonLoads(body: Buffer): PyValue {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new PyJsonError('invalid UTF-8');
  }
  return new Parser(text).parseDocument();
}

export function isValidUtf8(body: Buffer): boolean {
  try {
    UTF8.decode(body);
    return true;
  } catch {
    return false;
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseDocument(): PyValue {
    this.skipWs();
    const value = this.parseValue();
    this.skipWs();
    if (this.pos !== this.s.length) throw new PyJsonError('Extra data');
    return value;
  }

  private skipWs(): void {
    while (this.pos < this.s.length && WS.has(this.s[this.pos])) this.pos++;
  }

  private fail(): never {
    throw new PyJsonError(`Expecting value at ${this.pos}`);
  }

  private parseValue(): PyValue {
    const c = this.s[this.pos];
    switch (c) {
      case '{': return this.parseObject();
      case '[': return this.parseArray();
      case '"': return this.parseString();
    }
    for (const [word, value] of WORDS) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.parseNumber();
  }

  private parseNumber(): PyValue {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail();
    this.pos += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return new PyFloat(Number(m[0]));
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? n : BigInt(m[0]);
  }

  private parseObject(): PyDict {
    const dict = new PyDict();
    this.pos++;
    this.skipWs();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return dict;
    }
    for (;;) {
      this.skipWs();
      if (this.s[this.pos] !== '"') this.fail();
      const key = this.parseString();
      this.skipWs();
      if (this.s[this.pos] !== ':') this.fail();
      this.pos++;
      this.skipWs();
      dict.map.set(key, this.parseValue());
      this.skipWs();
      const c = this.s[this.pos++];
      if (c === '}') return dict;
      if (c !== ',') this.fail();
    }
  }

  private parseArray(): PyValue[] {
    const list: PyValue[] = [];
    this.pos++;
    this.skipWs();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return list;
    }
    for (;;) {
      this.skipWs();
      list.push(this.parseValue());
      this.skipWs();
      const c = this.s[this.pos++];
      if (c === ']') return list;
      if (c !== ',') this.fail();
    }
  }

  private parseString(): string {
    let out = '';
    this.pos++;
    for (;;) {
      if (this.pos >= this.s.length) this.fail();
      const c = this.s[this.pos++];
      if (c === '"') return out;
      if (c < ' ') this.fail();
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.pos++];
      if (e === 'u') {
        const hex = this.s.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail();
        this.pos += 4;
        out += String.fromCharCode(parseInt(hex, 16));
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
      } else {
        this.fail();
      }
    }
  }
}

const WORDS: ReadonlyArray<[string, PyValue]> = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['NaN', new PyFloat(NaN)],
  ['Infinity', new PyFloat(Infinity)],
  ['-Infinity', new PyFloat(-Infinity)],
];

// ---------------------------------------------------------------------------------------
// Python repr()/str() of parsed values, as used in jsonschema and Nova messages.

export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return pyStrRepr(v);
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  return '{' + v.entries().map(([k, x]) => pyStrRepr(k) + ': ' + pyRepr(x)).join(', ') + '}';
}

/** Python str(): like repr() except that a string is itself. */
export function pyStr(v: PyValue): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  const [mant, expText] = Math.abs(n).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    return `${sign}${int}.${digits.slice(exp + 1) || '0'}`;
  }
  const frac = digits.length > 1 ? '.' + digits.slice(1) : '';
  const e = exp < 0 ? '-' + String(-exp).padStart(2, '0') : '+' + String(exp).padStart(2, '0');
  return `${sign}${digits[0]}${frac}e${e}`;
}

const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}\p{Zs}]/u;

export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    out += reprChar(ch, quote);
  }
  return out + quote;
}

function reprChar(ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  if (ch === ' ' || !NOT_PRINTABLE.test(ch)) return ch;
  const cp = ch.codePointAt(0) as number;
  if (cp < 0x100) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------
// Ordered output objects for pythonJsonDumps.

/**
 * A plain-looking object whose own-key order is exactly `entries` order, integer-like keys
 * included, so pythonJsonDumps (which walks Object.entries) writes keys in Python dict order.
 */
export function orderedObject<T>(entries: ReadonlyArray<readonly [string, T]>): Record<string, T> {
  const target: Record<string, T> = {};
  const order: string[] = [];
  for (const [k, v] of entries) {
    if (!Object.prototype.hasOwnProperty.call(target, k)) order.push(k);
    target[k] = v;
  }
  return new Proxy(target, { ownKeys: () => [...order] });
}

/** A dict of string values (e.g. request metadata) as an ordered output object. */
export function stringDictObject(dict: PyDict): Record<string, string> {
  return orderedObject(dict.entries().map(([k, v]) => [k, String(v)] as const));
}
