/**
 * Nova's URL grammar over a canonical path:
 *   [prefix]/                         root version list (no microversions)
 *   [prefix]/v2.1[/]                  v2.1 version document (microversioned)
 *   [prefix]/v2[/]                    v2 version document (no microversions)
 *   [prefix]/v2.1[/{project_id}]/...  the API
 *   [prefix]/v2[/{project_id}]/...    the legacy v2 API (microversion headers stripped)
 *   anything else under the prefix    unversioned (Nova's 300 choices), passed through
 */
export type ApiKind = 'root' | 'unversioned' | 'v2.1-document' | 'v2-document' | 'v2.1' | 'v2';

export interface ComputeRoute {
  readonly kind: ApiKind;
  /** Whether Nova processes microversions for this route. */
  readonly microversioned: boolean;
  /** Whether Nova strips microversion headers both ways (legacy /v2). */
  readonly legacy: boolean;
  readonly projectId?: string;
  /**
   * The resource path inside the API, e.g. "/images/abc/metadata", without project id;
   * "" for documents and the root. Rule templates match this.
   */
  readonly resourcePath: string;
}

const PROJECT_ID = /^[0-9a-f-]+$/;

/** Undefined when the path is outside the prefix. */
export function parseComputeRoute(canonicalPath: string, prefix: string): ComputeRoute | undefined {
  let rest = canonicalPath;
  if (prefix) {
    if (rest !== prefix && !rest.startsWith(prefix + '/')) return undefined;
    rest = rest.slice(prefix.length) || '/';
  }
  if (rest === '/') return route('root');
  const api = rest.startsWith('/v2.1') ? 'v2.1' : rest.startsWith('/v2') ? 'v2' : undefined;
  const afterApi = api ? rest.slice(api.length + 1) : undefined;
  if (!api || (afterApi !== '' && afterApi![0] !== '/')) return route('unversioned');
  if (afterApi === '' || afterApi === '/') return route(api === 'v2.1' ? 'v2.1-document' : 'v2-document');
  return apiRoute(api, afterApi!);
}

function route(kind: ApiKind, resourcePath = '', projectId?: string): ComputeRoute {
  return {
    kind,
    microversioned: kind === 'v2.1' || kind === 'v2.1-document',
    legacy: kind === 'v2' || kind === 'v2-document',
    resourcePath,
    projectId,
  };
}

function apiRoute(api: 'v2.1' | 'v2', inner: string): ComputeRoute {
  const second = inner.indexOf('/', 1);
  const first = second < 0 ? inner.slice(1) : inner.slice(1, second);
  if (PROJECT_ID.test(first)) {
    return route(api, second < 0 ? '' : inner.slice(second), first);
  }
  return route(api, inner);
}
