/**
 * How a Python WSGI stack in front of Nova's router could read a request target it received,
 * independently of the gateway's own canonicaliser. Used to assert that whatever reached the
 * upstream is not an image-metadata operation under any of those readings.
 *
 * A reading is: the path before "?" (absolute-form authority and fragment dropped), percent-
 * decoded once as a WSGI server does for PATH_INFO (bytes kept as Latin-1 characters), then any
 * combination of: repeated slashes merged, dot segments removed (RFC 3986 §5.2.4, in either order
 * with merging), one trailing slash dropped, a ".json"/".xml" format suffix dropped from the last
 * segment, a deployment prefix dropped. Nova's router then matches
 *   /v2.1[/{project_id}]/images/{image_id}/metadata[/{key}]
 * with project_id = [0-9a-f-]+ (Nova's default pattern) and non-empty, slash-free parameters.
 */

/** Nova's routed methods for the six image-metadata operations (reference §3.1). */
const COLLECTION_METHODS = new Set(['GET', 'POST', 'PUT']);
const ITEM_METHODS = new Set(['GET', 'PUT', 'DELETE']);

const PROJECT_ID = /^[0-9a-f-]+$/;

export interface Reading {
  readonly path: string;
  readonly how: string;
}

/** Percent-decodes once, as urllib.parse.unquote does for PATH_INFO: bad escapes stay as they are. */
export function pythonUnquoteLatin1(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** RFC 3986 §5.2.4 remove_dot_segments, written from the RFC's input/output-buffer description. */
export function rfcRemoveDotSegments(path: string): string {
  let input = path;
  let output = '';
  while (input.length > 0) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../')) {
      input = input.slice(3);
      output = output.slice(0, Math.max(0, output.lastIndexOf('/')));
    } else if (input === '/..') {
      input = '/';
      output = output.slice(0, Math.max(0, output.lastIndexOf('/')));
    } else if (input === '.' || input === '..') input = '';
    else {
      const next = input.indexOf('/', input[0] === '/' ? 1 : 0);
      const seg = next < 0 ? input : input.slice(0, next);
      output += seg;
      input = next < 0 ? '' : input.slice(next);
    }
  }
  return output;
}

function pathOfTarget(target: string): string {
  let t = target;
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t);
  if (absolute) t = t.slice(absolute[0].length) || '/';
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  return q >= 0 ? t.slice(0, q) : t;
}

/** Every reading of a received target; prefixes are tried both stripped and kept. */
export function readings(target: string, prefixes: readonly string[] = []): Reading[] {
  const decoded = pythonUnquoteLatin1(pathOfTarget(target));
  const out = new Map<string, string>();
  const steps: [string, (p: string) => string][] = [
    ['merge', (p) => p.replace(/\/{2,}/g, '/')],
    ['dots', rfcRemoveDotSegments],
    ['trailing', (p) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p)],
    ['suffix', (p) => p.replace(/^(.*\/[^/]+)\.(?:json|xml)$/, '$1')],
  ];
  const orders: number[][] = [
    [0, 1, 2, 3], [1, 0, 2, 3], [0, 1, 3, 2], [1, 0, 3, 2],
  ];
  for (const order of orders) {
    for (let mask = 0; mask < 16; mask++) {
      let p = decoded;
      const how: string[] = ['decode'];
      for (const i of order) {
        if (mask & (1 << i)) {
          p = steps[i][1](p);
          how.push(steps[i][0]);
        }
      }
      for (const prefix of ['', ...prefixes]) {
        let q = p;
        if (prefix) {
          if (q !== prefix && !q.startsWith(prefix + '/')) continue;
          q = q.slice(prefix.length) || '/';
        }
        const label = prefix ? [...how, `strip ${prefix}`].join(' > ') : how.join(' > ');
        if (!out.has(q)) out.set(q, label);
      }
    }
  }
  return [...out.entries()].map(([path, how]) => ({ path, how }));
}

export type MetadataOperation = 'collection' | 'item';

/** Whether one already-normalised path is Nova's image-metadata route (any method). */
export function imageMetadataShape(path: string): MetadataOperation | undefined {
  const segs = path.split('/');
  if (segs[0] !== '' || segs[1] !== 'v2.1') return undefined;
  let rest = segs.slice(2);
  const shapes: string[][] = [rest];
  if (rest.length > 0 && PROJECT_ID.test(rest[0])) shapes.push(rest.slice(1));
  for (rest of shapes) {
    if (rest.length < 3 || rest.length > 4) continue;
    if (rest[0] !== 'images' || rest[1] === '' || rest[2] !== 'metadata') continue;
    if (rest.length === 3) return 'collection';
    if (rest[3] !== '') return 'item';
  }
  return undefined;
}

/**
 * The first reading under which Nova would serve an image-metadata operation for this method
 * and target, or undefined when none does.
 */
export function servesImageMetadata(method: string, target: string, prefixes: readonly string[] = []): Reading | undefined {
  for (const r of readings(target, prefixes)) {
    const shape = imageMetadataShape(r.path);
    if (shape === 'collection' && COLLECTION_METHODS.has(method)) return r;
    if (shape === 'item' && ITEM_METHODS.has(method)) return r;
  }
  return undefined;
}
