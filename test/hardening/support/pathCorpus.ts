/**
 * Spellings of the six image-metadata operations that 2.39 removes, generated systematically.
 *
 * Every entry says what the gateway must do with it:
 *  - 'metadata': its canonical form is an image-metadata route. At >= 2.39 the gateway answers
 *    Nova's 404 itself; at 2.38 it forwards exactly `canonical`.
 *  - 'refused': ambiguous between components; the gateway's JSON 400 with `message`, at every version.
 *  - 'node-refused': bytes Node's HTTP parser rejects before the gateway runs (bare 400/431, no body).
 *  - 'other': not an image-metadata route for Nova's router (case, unrouted method, legacy /v2,
 *    upper-case project id, double encoding ...): forwarded as `canonical` at every version.
 *  - 'outside-prefix': with --prefix, the canonical path leaves the prefix: Nova's plain router 404
 *    from the gateway, nothing forwarded.
 * Whatever reaches the upstream is additionally checked against every reading in novaView.ts.
 */

export type Expectation = 'metadata' | 'refused' | 'node-refused' | 'other' | 'outside-prefix';

export interface CorpusEntry {
  readonly id: number;
  readonly name: string;
  readonly method: string;
  /** The request target exactly as sent (Latin-1 characters = bytes). */
  readonly target: string;
  readonly expect: Expectation;
  /** What the upstream must receive when forwarded ('metadata' at 2.38, 'other'). */
  readonly canonical?: string;
  /** The refusal text for 'refused'. */
  readonly message?: string;
  /** For 'node-refused': Node's status (400, or 431 for an oversized head). */
  readonly nodeStatus?: number;
}

export const IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b';
export const KEY = 'kernel_id';

type Shape = 'collection' | 'item';
const METHODS: Record<Shape, readonly string[]> = { collection: ['GET', 'POST', 'PUT'], item: ['GET', 'PUT', 'DELETE'] };

/** Segments of a clean route inside the prefix: ["v2.1", project?, "images", id, "metadata", key?]. */
function cleanSegments(shape: Shape, project: string | undefined): string[] {
  return ['v2.1', ...(project ? [project] : []), 'images', IMAGE_ID, 'metadata', ...(shape === 'item' ? [KEY] : [])];
}

/** Hex-escapes one character with the given case. */
function esc(c: string, upper = true): string {
  const h = c.charCodeAt(0).toString(16).padStart(2, '0');
  return '%' + (upper ? h.toUpperCase() : h.toLowerCase());
}

/** Spellings of the segment list that canonicalise back to the same segments. */
const SPELLINGS: readonly { readonly name: string; apply(segs: string[]): string[] }[] = [
  { name: 'plain', apply: (s) => s },
  { name: 'encoded i of images, lower-case hex', apply: (s) => s.map((x) => (x === 'images' ? esc('i', false) + 'mages' : x)) },
  { name: 'encoded m of metadata, upper-case hex', apply: (s) => s.map((x) => (x === 'metadata' ? esc('m') + 'etadata' : x)) },
  {
    name: 'metadata fully encoded, mixed-case hex',
    apply: (s) => s.map((x) => (x === 'metadata' ? [...x].map((c, i) => esc(c, i % 2 === 0)).join('') : x)),
  },
  { name: 'encoded dot of v2.1 and dashes of the id', apply: (s) => s.map((x) => (x === 'v2.1' ? 'v2%2E1' : x === IMAGE_ID ? x.replace(/-/g, '%2d') : x)) },
  { name: 'raw /./ segments', apply: (s) => s.flatMap((x) => (x === 'images' || x === 'metadata' ? ['.', x] : [x])) },
  { name: 'raw x/../ before images', apply: (s) => s.flatMap((x) => (x === 'images' ? ['servers', '..', x] : [x])) },
  { name: 'encoded %2e%2e (lower) before metadata', apply: (s) => s.flatMap((x) => (x === 'metadata' ? ['junk', '%2e%2e', x] : [x])) },
  { name: 'mixed .%2E and %2E. dot-dot', apply: (s) => s.flatMap((x) => (x === 'images' ? ['a', '.%2E', 'b', '%2E.', x] : [x])) },
  { name: 'encoded single dots %2E and %2e', apply: (s) => s.flatMap((x) => (x === 'images' ? ['%2E', x] : x === 'metadata' ? ['%2e', x] : [x])) },
];

const SLASHES: readonly { readonly name: string; apply(path: string): string }[] = [
  { name: 'single slashes', apply: (p) => p },
  { name: 'every slash doubled', apply: (p) => p.replace(/\//g, '//') },
  { name: 'leading // and triple before metadata', apply: (p) => '/' + p.replace(/\/(?=metadata|%6D)/, '///') },
];

/** What follows the last segment: [raw, canonical]. */
const TAILS: readonly { readonly name: string; raw: string; canonical: string }[] = [
  { name: 'no tail', raw: '', canonical: '' },
  { name: 'trailing slash', raw: '/', canonical: '/' },
  { name: '.json suffix', raw: '.json', canonical: '.json' },
  { name: '.xml suffix', raw: '.xml', canonical: '.xml' },
  { name: 'query with encoded slash and dots', raw: '?marker=x&q=%2F..%2F&r=/../', canonical: '?marker=x&q=%2F..%2F&r=/../' },
  { name: 'trailing /. dot segment', raw: '/.', canonical: '/' },
];

/** Project id spellings: [raw, canonical]. */
const PROJECTS: readonly { readonly name: string; raw?: string; canonical?: string }[] = [
  { name: 'no project id' },
  { name: 'hex project id', raw: 'c0ffee00', canonical: 'c0ffee00' },
  { name: 'dashed project id', raw: 'c0ffee00-0000-4000-8000-00000000beef', canonical: 'c0ffee00-0000-4000-8000-00000000beef' },
  { name: 'percent-encoded project id', raw: '%63%30ffee00', canonical: 'c0ffee00' },
];

/**
 * The cartesian product: shape × spelling × slashes × tail × project, methods cycling through
 * the shape's three routed methods.
 */
export function productCorpus(prefix = ''): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  let n = 0;
  for (const shape of ['collection', 'item'] as Shape[]) {
    for (const spelling of SPELLINGS) {
      for (const slashes of SLASHES) {
        for (const tail of TAILS) {
          for (const project of PROJECTS) {
            const method = METHODS[shape][n % 3];
            const rawSegs = spelling.apply(cleanSegments(shape, project.raw));
            const rawPath = slashes.apply(prefix + '/' + rawSegs.join('/'));
            const canonical = prefix + '/' + cleanSegments(shape, project.canonical).join('/') + tail.canonical;
            out.push({
              id: n++,
              name: `${method} ${shape}: ${spelling.name}, ${slashes.name}, ${tail.name}, ${project.name}`,
              method,
              target: rawPath + tail.raw,
              expect: 'metadata',
              canonical,
            });
          }
        }
      }
    }
  }
  return out;
}

const REFUSAL = {
  delimiter: 'Malformed request URL: percent-encoded / \\ ; ? or # in path.',
  param: 'Malformed request URL: path parameter (;) in path.',
  backslash: 'Malformed request URL: backslash in path.',
  fragment: 'Malformed request URL: fragment (#) in request target.',
  otherHost: 'Malformed request URL: absolute-form request target naming another host.',
  utf8: 'Malformed request URL: percent-encoded bytes are not UTF-8.',
  control: 'Malformed request URL: percent-encoded control character in path.',
  escape: 'Malformed request URL: malformed percent-escape in path.',
  raw: 'Malformed request URL: character not allowed unencoded in a path.',
  asterisk: 'Malformed request URL: asterisk-form request target.',
} as const;

/** Hand-picked spellings outside the product: refusals, Node-level refusals, absolute-form, long paths, look-alikes. */
export function specialCorpus(prefix = '', startId = 100_000): CorpusEntry[] {
  const P = prefix;
  const C = `${P}/v2.1/images/${IMAGE_ID}/metadata`;
  const I = `${C}/${KEY}`;
  const entries: Omit<CorpusEntry, 'id'>[] = [];
  const refused = (name: string, method: string, target: string, message: string) =>
    entries.push({ name, method, target, expect: 'refused', message });
  const nodeRefused = (name: string, method: string, target: string, nodeStatus = 400) =>
    entries.push({ name, method, target, expect: 'node-refused', nodeStatus });
  const blocked = (name: string, method: string, target: string, canonical: string) =>
    entries.push({ name, method, target, expect: 'metadata', canonical });
  const other = (name: string, method: string, target: string, canonical: string) =>
    entries.push({ name, method, target, expect: 'other', canonical });

  // Encoded delimiters (CVE-2021-29492, CVE-2025-66490): refused, never decoded.
  for (const [code, where] of [['%2F', 'before metadata'], ['%2f', 'before metadata'], ['%5C', 'before metadata'], ['%5c', 'inside images'], ['%3B', 'before metadata'], ['%3F', 'before metadata'], ['%23', 'before metadata']] as const) {
    const target = where === 'inside images' ? `${P}/v2.1/ima${code}ges/${IMAGE_ID}/metadata` : `${P}/v2.1/images/${IMAGE_ID}${code}metadata`;
    refused(`encoded delimiter ${code} ${where}`, 'GET', target, REFUSAL.delimiter);
  }
  refused('encoded slash between metadata and key', 'DELETE', `${C}%2F${KEY}`, REFUSAL.delimiter);
  refused('encoded slash dot-dot-slash', 'GET', `${P}/v2.1/servers/x%2F..%2F..%2Fimages/${IMAGE_ID}/metadata`, REFUSAL.delimiter);
  // Path parameters.
  refused('; parameter on metadata', 'GET', `${C};x=1`, REFUSAL.param);
  refused('; parameter on images', 'PUT', `${P}/v2.1/images;/${IMAGE_ID}/metadata`, REFUSAL.param);
  refused('; parameter on the key', 'DELETE', `${I};v=1`, REFUSAL.param);
  refused('jsessionid-style parameter', 'GET', `${C};jsessionid=abc`, REFUSAL.param);
  // Backslashes, fragments.
  refused('raw backslashes as separators', 'GET', `${P}/v2.1\\images\\${IMAGE_ID}\\metadata`, REFUSAL.backslash);
  refused('raw backslash before metadata', 'POST', `${P}/v2.1/images/${IMAGE_ID}\\metadata`, REFUSAL.backslash);
  refused('fragment after metadata', 'GET', `${C}#x`, REFUSAL.fragment);
  refused('fragment hiding the suffix', 'GET', `${C}#/../../limits`, REFUSAL.fragment);
  // Absolute-form to another host.
  refused('absolute-form, other host', 'GET', `http://evil.example${C}`, REFUSAL.otherHost);
  refused('absolute-form, same host other port', 'GET', `http://127.0.0.1:1${C}`, REFUSAL.otherHost);
  refused('absolute-form with userinfo', 'GET', `http://user@127.0.0.1${C}`, REFUSAL.otherHost);
  // Overlong and invalid UTF-8.
  refused('overlong 2-byte dot-dot %C0%AE', 'GET', `${P}/v2.1/servers/%C0%AE%C0%AE/images/${IMAGE_ID}/metadata`, REFUSAL.utf8);
  refused('overlong 2-byte slash %C0%AF', 'GET', `${P}/v2.1/images/${IMAGE_ID}%C0%AFmetadata`, REFUSAL.utf8);
  refused('overlong 3-byte dot %E0%80%AE', 'GET', `${P}/v2.1/images/${IMAGE_ID}/%E0%80%AE/metadata`, REFUSAL.utf8);
  refused('lone byte %FF in key', 'GET', `${I}%FF`, REFUSAL.utf8);
  refused('UTF-16 surrogate %ED%A0%80', 'GET', `${C}/%ED%A0%80`, REFUSAL.utf8);
  refused('truncated sequence %C3 before a slash', 'GET', `${P}/v2.1/images/x%C3/metadata`, REFUSAL.utf8);
  // Encoded controls and bad escapes.
  refused('encoded NUL', 'GET', `${C}%00`, REFUSAL.control);
  refused('encoded tab', 'GET', `${P}/v2.1/images/${IMAGE_ID}/%09metadata`, REFUSAL.control);
  refused('encoded line feed', 'GET', `${C}%0A`, REFUSAL.control);
  refused('encoded DEL', 'GET', `${C}/%7F`, REFUSAL.control);
  refused('bad escape %zz', 'GET', `${C}/%zz`, REFUSAL.escape);
  refused('truncated escape %2', 'GET', `${C}%2`, REFUSAL.escape);
  refused('IIS-style %u002e', 'GET', `${P}/v2.1/images/${IMAGE_ID}/%u002e%u002e/metadata`, REFUSAL.escape);
  refused('nested escape %%32%65', 'GET', `${P}/v2.1/images/${IMAGE_ID}/%%32%65/metadata`, REFUSAL.escape);
  refused('raw | in key', 'GET', `${C}/k|x`, REFUSAL.raw);
  refused('raw " in key', 'GET', `${C}/"k"`, REFUSAL.raw);
  refused('raw { } in key', 'GET', `${C}/{k}`, REFUSAL.raw);
  refused('raw < > in key', 'GET', `${C}/<k>`, REFUSAL.raw);
  refused('raw ^ and backtick in key', 'GET', `${C}/k^\`x`, REFUSAL.raw);
  refused('asterisk-form', 'OPTIONS', '*', REFUSAL.asterisk);

  // Bytes Node's parser rejects itself (no JSON body; documented in the README).
  nodeRefused('raw tab inside metadata', 'GET', `${P}/v2.1/images/${IMAGE_ID}/meta\tdata`);
  nodeRefused('raw space inside metadata', 'GET', `${P}/v2.1/images/${IMAGE_ID}/meta data`);
  nodeRefused('raw NUL after metadata', 'GET', `${C}\x00`);
  nodeRefused('raw DEL after metadata', 'GET', `${C}\x7f`);
  nodeRefused('raw overlong bytes C0 AE C0 AE', 'GET', `${P}/v2.1/servers/\xc0\xae\xc0\xae/images/${IMAGE_ID}/metadata`);
  nodeRefused('raw UTF-8 é in key', 'GET', `${C}/\xc3\xa9`);
  nodeRefused('raw Latin-1 é in key', 'GET', `${C}/\xe9`);
  nodeRefused('lower-case method', 'get', C);
  nodeRefused('relative target without /', 'GET', `images/${IMAGE_ID}/metadata`);
  nodeRefused('request head over 16 KiB', 'GET', `${C}/${'k'.repeat(17_000)}`, 431);

  // Absolute-form naming this host: accepted, same canonical path.
  blocked('absolute-form, same host', 'GET', `http://127.0.0.1${C}`, C);
  blocked('absolute-form, upper-case scheme and host', 'PUT', `HTTP://127.0.0.1${C}`, C);
  blocked('absolute-form, doubled slashes', 'DELETE', `http://127.0.0.1/${I.replace(/\//g, '//')}`, I);
  blocked('absolute-form with dot-dot from another API', 'GET', `http://127.0.0.1${P}/v2.1/servers/../images/${IMAGE_ID}/metadata`, C);
  // Long and repetitive paths.
  blocked('1,000 "a/../" segments', 'GET', `${P}/v2.1/${'a/../'.repeat(1000)}images/${IMAGE_ID}/metadata`, C);
  blocked('500 "./" segments with doubled slashes', 'POST', `${P}/v2.1/${'.//'.repeat(500)}images/${IMAGE_ID}/metadata`, C);
  blocked('15,000-character key', 'GET', `${C}/${'k'.repeat(15_000)}`, `${C}/${'k'.repeat(15_000)}`);
  blocked('1,000 encoded letters in the key', 'PUT', `${C}/${'%6B'.repeat(1000)}`, `${C}/${'k'.repeat(1000)}`);
  // Keys and ids that are unusual but still one segment.
  blocked('encoded space as key', 'DELETE', `${C}/%20`, `${C}/%20`);
  blocked('key ".json"', 'GET', `${C}/.json`, `${C}/.json`);
  blocked('key "%25"', 'GET', `${C}/%25`, `${C}/%25`);
  blocked('UTF-8 é key, lower-case hex', 'GET', `${C}/%c3%a9`, `${C}/%C3%A9`);
  blocked('encoded space as image id', 'GET', `${P}/v2.1/images/%20/metadata`, `${P}/v2.1/images/%20/metadata`);
  blocked('image id ".json"', 'POST', `${P}/v2.1/images/.json/metadata`, `${P}/v2.1/images/.json/metadata`);
  blocked('dot-dot back into metadata from a key', 'GET', `${C}/%2e%2e/metadata/${KEY}`, I);
  blocked('trailing // after metadata', 'GET', `${C}//`, `${C}/`);
  blocked('key then dot-dot', 'GET', `${I}/..`, `${C}/`);
  blocked('.json then trailing slash', 'GET', `${C}.json/`, `${C}.json/`);
  blocked('empty query', 'PUT', `${C}?`, `${C}?`);
  blocked('query naming another route', 'GET', `${C}?next=/v2.1/limits&x=..%2F`, `${C}?next=/v2.1/limits&x=..%2F`);
  blocked('prefixed dot-dot from the root', 'GET', `${P}/../..${P}/v2.1/images/${IMAGE_ID}/metadata`, C);

  // Not an image-metadata route for Nova's router: forwarded as is (Nova answers them itself).
  other('upper-case IMAGES', 'GET', `${P}/v2.1/IMAGES/${IMAGE_ID}/metadata`, `${P}/v2.1/IMAGES/${IMAGE_ID}/metadata`);
  other('upper-case METADATA', 'GET', `${P}/v2.1/images/${IMAGE_ID}/METADATA`, `${P}/v2.1/images/${IMAGE_ID}/METADATA`);
  other('capitalised Metadata via %4D', 'GET', `${P}/v2.1/images/${IMAGE_ID}/%4Detadata`, `${P}/v2.1/images/${IMAGE_ID}/Metadata`);
  other('upper-case V2.1', 'GET', `${P}/V2.1/images/${IMAGE_ID}/metadata`, `${P}/V2.1/images/${IMAGE_ID}/metadata`);
  other('upper-case hex project id', 'GET', `${P}/v2.1/C0FFEE00/images/${IMAGE_ID}/metadata`, `${P}/v2.1/C0FFEE00/images/${IMAGE_ID}/metadata`);
  other('two project ids', 'GET', `${P}/v2.1/c0ffee00/c0ffee00/images/${IMAGE_ID}/metadata`, `${P}/v2.1/c0ffee00/c0ffee00/images/${IMAGE_ID}/metadata`);
  other('upper-case .JSON suffix on the collection', 'GET', `${C}.JSON`, `${C}.JSON`);
  other('encoded trailing space on metadata', 'GET', `${C}%20`, `${C}%20`);
  other('empty image id', 'GET', `${P}/v2.1/images//metadata`, `${P}/v2.1/images/metadata`);
  other('double-encoded m (%256D)', 'GET', `${P}/v2.1/images/${IMAGE_ID}/%256Detadata`, `${P}/v2.1/images/${IMAGE_ID}/%256Detadata`);
  other('double-encoded slash (%252F)', 'GET', `${P}/v2.1/images/${IMAGE_ID}%252Fmetadata`, `${P}/v2.1/images/${IMAGE_ID}%252Fmetadata`);
  other('fullwidth m (U+FF4D)', 'GET', `${P}/v2.1/images/${IMAGE_ID}/%EF%BD%8Detadata`, `${P}/v2.1/images/${IMAGE_ID}/%EF%BD%8Detadata`);
  other('one segment too many', 'GET', `${I}/extra`, `${I}/extra`);
  other('v2.10 is not v2.1', 'GET', `${P}/v2.10/images/${IMAGE_ID}/metadata`, `${P}/v2.10/images/${IMAGE_ID}/metadata`);
  other('HEAD is not routed by Nova', 'HEAD', C, C);
  other('PATCH is not routed by Nova', 'PATCH', C, C);
  other('DELETE on the collection is not routed', 'DELETE', C, C);
  other('POST on one key is not routed', 'POST', I, I);
  other('legacy /v2 keeps the proxy API', 'GET', `${P}/v2/images/${IMAGE_ID}/metadata`, `${P}/v2/images/${IMAGE_ID}/metadata`);
  other('dot-dot from v2.1 into legacy /v2', 'PUT', `${P}/v2.1/../v2/images/${IMAGE_ID}/metadata`, `${P}/v2/images/${IMAGE_ID}/metadata`);
  other('dot-dot that lands on /v2.1/metadata', 'GET', `${P}/v2.1/images/%2e%2e/metadata`, `${P}/v2.1/metadata`);
  return entries.map((e, i) => ({ ...e, id: startId + i }));
}

/** Spellings that leave a --prefix deployment's prefix: Nova's urlmap has nothing there. */
export function outsidePrefixCorpus(prefix: string, startId = 200_000): CorpusEntry[] {
  const rest = `/v2.1/images/${IMAGE_ID}/metadata`;
  const targets: [string, string][] = [
    ['no prefix at all', rest],
    ['prefix in upper case', prefix.toUpperCase() + rest],
    ['prefix dot-dotted away', `${prefix}/..${rest}`],
    ['prefix dot-dotted away, encoded', `${prefix}/%2E%2E${rest}`],
    ['prefix as a longer segment', `${prefix}x${rest}`],
  ];
  return targets.map(([name, target], i) => ({ id: startId + i, name, method: 'GET', target, expect: 'outside-prefix' as Expectation }));
}
