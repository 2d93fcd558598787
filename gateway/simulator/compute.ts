/**
 * The compute endpoint as Nova's api-paste.ini assembles it: urlmap (nova/api/openstack/
 * urlmap.py) picks the root version list, the /v2 or /v2.1 version document, or the API;
 * the API pipeline is compute_req_id → faultwrap → sizelimit → noauth2 →
 * [legacy_v2_compatible] → router → Resource.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { noauth2 } from './auth';
import type { SimulatorConfig } from './config';
import type { LimitsKeyOrder } from './limits';
import { faultReply, FaultError, jsonReply, withRequestId, type Reply } from './reply';
import { headerValue, mergeSlashes, quotePath, type IncomingCall } from './request';
import { runResource, type Operation, type ResourceCall, type ResourceTarget } from './resource';
import { buildRoutes, matchRoute } from './router';
import type { SimulatorState } from './state';
import { buildChoices, buildVersions, showVersion } from './versionsDoc';
import { webobError } from './webob';

export interface ComputeDeps {
  readonly config: SimulatorConfig;
  readonly state: SimulatorState;
  /** The image service URL, known once it listens. */
  readonly glanceUrl: () => string;
  readonly limitsOrder?: LimitsKeyOrder;
}

type Mount =
  | { readonly app: 'root'; readonly pathInfo: string }
  | { readonly app: 'versions'; readonly script: '/v2' | '/v2.1'; readonly pathInfo: string }
  | { readonly app: 'api'; readonly script: '/v2' | '/v2.1'; readonly pathInfo: string };

/** urlmap's longest-prefix match, `/v2.1/+` and `/v2/+` needing something after the slash. */
function mount(path: string): Mount {
  for (const script of ['/v2.1', '/v2'] as const) {
    if (path.startsWith(script + '/') && path.length > script.length + 1) {
      return { app: 'api', script, pathInfo: path.slice(script.length) };
    }
  }
  for (const script of ['/v2.1', '/v2'] as const) {
    if (path === script || path === script + '/') return { app: 'versions', script, pathInfo: path.slice(script.length) };
  }
  return { app: 'root', pathInfo: path };
}

const SUPPORTED = ['application/json', 'application/vnd.openstack.compute+json'];

/** urlmap's content type: path suffix, else its Accept best_match, else JSON. */
function bestContentType(path: string, m: Mount, headers: IncomingHttpHeaders): string {
  const dot = path.lastIndexOf('.');
  if (dot >= 0 && SUPPORTED.includes('application/' + path.slice(dot + 1))) return 'application/' + path.slice(dot + 1);
  const supported = [...SUPPORTED];
  const isIndex = (m.app !== 'root' && path === m.script + '/') || path === '/';
  if (isIndex) supported.push('application/atom+xml');
  return acceptBestMatch(headerValue(headers, 'accept') ?? '', supported) ?? 'application/json';
}

/** nova.api.openstack.urlmap.Accept.best_match */
function acceptBestMatch(accept: string, supported: readonly string[]): string | undefined {
  const ranges = accept
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [mask, ...params] = p.split(';').map((x) => x.trim());
      const q = params.find((x) => x.startsWith('q='));
      return { mask, q: q === undefined ? 1 : Number(q.slice(2)) };
    });
  let bestQ = -1;
  let best: string | undefined;
  let bestMask = '*/*';
  const stars = (s: string): number => s.split('*').length - 1;
  for (const type of supported) {
    for (const { mask, q } of ranges) {
      if (Number.isNaN(q) || q < bestQ) continue;
      if (q === bestQ && stars(bestMask) <= stars(mask)) continue;
      if (matchMask(mask, type)) {
        bestQ = q;
        best = type;
        bestMask = mask;
      }
    }
  }
  return best;
}

function matchMask(mask: string, type: string): boolean {
  if (!mask.includes('*')) return type === mask;
  if (mask === '*/*') return true;
  return type.split('/', 1)[0] === mask.slice(0, -2);
}

const LEGACY_STRIPPED = ['openstack-api-version', 'x-openstack-nova-api-version'];

export function createComputeApp(deps: ComputeDeps): (call: IncomingCall) => Promise<Reply> {
  const routes = buildRoutes(deps.limitsOrder ?? 'nova');
  const max = deps.config.range.max;

  const rootIndex: Operation = {
    handle: (req) => jsonReply(200, buildVersions(req.applicationUrl, max), req.contentType),
  };
  const rootMulti = (quotedPath: string): Operation => ({
    handle: (req) => jsonReply(300, buildChoices(req.applicationUrl, max, quotedPath), req.contentType),
  });

  return async (call) => {
    const path = mergeSlashes(call.path);
    const m = mount(path);
    const contentType = bestContentType(path, m, call.headers);
    const base = (script: string, pathInfo: string, headers = call.headers) => {
      const applicationUrl = call.hostUrl + quotePath(script);
      const url = applicationUrl + quotePath(pathInfo) + (call.query ? '?' + call.query : '');
      return { call: { ...call, headers }, config: deps.config, state: deps.state, applicationUrl, url,
        glanceUrl: deps.glanceUrl(), contentType };
    };
    const resource = (rc: ResourceCall, target: ResourceTarget) => faultWrap(() => runResource(rc, target));

    if (m.app === 'root') {
      const op = m.pathInfo === '/' ? rootIndex : rootMulti(quotePath(m.pathInfo));
      return resource({ ...base('', m.pathInfo), legacyV2: false, versioned: false, args: {} }, { kind: 'method', op });
    }
    const legacyV2 = m.script === '/v2';
    const headers = legacyV2 ? withoutKeys(call.headers, LEGACY_STRIPPED) : call.headers;
    if (m.app === 'versions') {
      const rc = { ...base(m.script, m.pathInfo, headers), legacyV2, versioned: true, args: {} };
      return withRequestId(await resource(rc, { kind: 'method', op: showVersion }));
    }
    return withRequestId(await apiPipeline(call, base(m.script, m.pathInfo, headers), legacyV2, m.pathInfo));
  };

  async function apiPipeline(
    call: IncomingCall,
    b: Omit<ResourceCall, 'legacyV2' | 'versioned' | 'args'>,
    legacyV2: boolean,
    pathInfo: string,
  ): Promise<Reply> {
    const accept = headerValue(call.headers, 'accept');
    const length = Number(headerValue(call.headers, 'content-length') ?? '0');
    if (length > deps.config.maxRequestBodySize) {
      const size = deps.config.maxRequestBodySize;
      return webobError(413, accept, `Request is too large. Larger than max_request_body_size (${size}).`);
    }
    const auth = noauth2(call, b.url);
    if (!auth.ok) return auth.reply;
    const match = matchRoute(routes, call.method, pathInfo);
    if (!match) return webobError(404, accept);
    const rc: ResourceCall = { ...b, auth: auth.auth, legacyV2, versioned: true, args: match.args, projectId: match.projectId };
    return faultWrap(() => runResource(rc, match.target));
  }
}

/** FaultWrapper: anything unexpected becomes a bare 500 Fault. */
async function faultWrap(fn: () => Promise<Reply>): Promise<Reply> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FaultError) return faultReply(e.status, e.explanation);
    return faultReply(500);
  }
}

function withoutKeys(headers: IncomingHttpHeaders, keys: readonly string[]): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!keys.includes(k)) out[k] = v;
  return out;
}
