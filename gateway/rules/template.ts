/**
 * Resource path templates, e.g. "/images/{image_id}/metadata/{key}": the path inside the
 * API (no "/v2.1", no project id), literal first segment, parameters as whole segments.
 */
export type TemplateSegment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string };

export type TemplateParse =
  | { readonly ok: true; readonly segments: readonly TemplateSegment[] }
  | { readonly ok: false; readonly message: string };

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROJECT_ID = /^[0-9a-f-]+$/;
const FORMAT_SUFFIX = /\.(json|xml)$/;

export function parsePathTemplate(template: string): TemplateParse {
  const fail = (why: string): TemplateParse => ({ ok: false, message: `bad path template "${template}": ${why}` });
  if (!template.startsWith('/')) return fail('must start with "/"');
  if (template === '/') return fail('must name a resource, e.g. "/limits"');
  if (template.endsWith('/')) return fail('ends with "/" (drop it: one trailing slash in a request is matched as absent)');
  const segments: TemplateSegment[] = [];
  const params = new Set<string>();
  const raw = template.slice(1).split('/');
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i];
    if (s === '') return fail('empty segment ("//")');
    if (s === '.' || s === '..') return fail(`dot segment "${s}" is not allowed`);
    if (s.includes('{') || s.includes('}')) {
      if (!bracesBalanced(s)) return fail(`unbalanced braces in segment "${s}"`);
      if (!/^\{[^{}]*\}$/.test(s)) return fail(`parameter must be a whole segment, got "${s}"`);
      const name = s.slice(1, -1);
      if (!PARAM_NAME.test(name)) return fail(`bad parameter name "${s}" (letters, digits and "_", not starting with a digit)`);
      if (i === 0) return fail(`first segment must be a literal, not the parameter "${s}"`);
      if (params.has(name)) return fail(`duplicate parameter "${s}"`);
      params.add(name);
      segments.push({ kind: 'param', name });
      continue;
    }
    const bad = [...s].find((c) => !UNRESERVED.test(c));
    if (bad !== undefined) {
      return fail(`character "${bad}" is not allowed (literal segments use unreserved characters A-Z a-z 0-9 - . _ ~)`);
    }
    if (i === 0 && (s === 'v2' || s === 'v2.1')) {
      return fail(`starts with "/${s}": write the path inside the API, without version or project id (e.g. "/images/{image_id}/metadata")`);
    }
    if (i === 0 && PROJECT_ID.test(s)) {
      return fail(`first segment "${s}" would be read as a project id by Nova's router, so it can never match`);
    }
    if (i === raw.length - 1 && FORMAT_SUFFIX.test(s)) {
      return fail(`last segment "${s}" carries a format suffix: write it without; ".json" and ".xml" are matched automatically`);
    }
    segments.push({ kind: 'literal', text: s });
  }
  return { ok: true, segments };
}

function bracesBalanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (depth < 0 || depth > 1) return false;
  }
  return depth === 0;
}

/** Whether a concrete resource path matches a template, as a naive reference (tests, explain). */
export function templateMatchesSegments(segments: readonly TemplateSegment[], path: readonly string[]): boolean {
  if (segments.length !== path.length) return false;
  return segments.every((s, i) => (s.kind === 'literal' ? s.text === path[i] : path[i] !== ''));
}

/**
 * The segment lists a request path is matched as: one trailing slash treated as absent,
 * and a ".json"/".xml" suffix on the last segment considered both with and without.
 */
export function pathVariants(resourcePath: string): string[][] {
  if (!resourcePath.startsWith('/')) return [];
  let p = resourcePath;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p === '/') return [];
  const segments = p.slice(1).split('/');
  const last = segments[segments.length - 1];
  const m = /^(.+)\.(?:json|xml)$/.exec(last);
  if (!m) return [segments];
  return [segments, [...segments.slice(0, -1), m[1]]];
}
