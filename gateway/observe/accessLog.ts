import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { contextOf, type RequestContext } from '../proxy/context';
import { statusClass, type GatewayMetrics } from './metrics';
import { firstHeader } from '../http/headerValues';

/**
 * One access line and the request counter per request, when the answer is finished or the
 * client left. The line (pino, JSON, msg "request"):
 *   requestId         x-openstack-request-id of the answer (the upstream's, or the gateway's own)
 *   method            as received
 *   route             canonical path template: rule template or `{id}` for id positions, never raw ids
 *   negotiatedVersion / forwardedVersion   microversions (absent off /v2.1 or before negotiation)
 *   rules / shadowRules                    ids of the rules enforced / counted as shadow
 *   status            status sent (absent when the client left before an answer)
 *   answeredBy        "gateway" or "upstream"
 *   completed         false when the answer was cut (client left, upstream failed mid-body)
 *   upstreamMs        forwarding → upstream answer headers (absent when nothing was forwarded)
 *   totalMs           request received → answer finished
 */
export function observeRequest(req: IncomingMessage, res: ServerResponse, metrics: GatewayMetrics, logger: Logger): void {
  const startedAt = performance.now();
  res.once('close', () => {
    let ctx: RequestContext | undefined;
    try {
      ctx = contextOf(req);
    } catch {
      ctx = undefined;
    }
    const answered = res.headersSent;
    const answeredBy = ctx?.answeredBy ?? 'gateway';
    metrics
      .requestsBy(boundedMethod(req.method), answered ? statusClass(res.statusCode) : 'none', ctx?.negotiated?.text ?? 'none', answeredBy)
      .inc();
    if (!logger.isLevelEnabled('info')) return;
    const requestId = ctx?.upstreamRequestId ?? firstHeader(res.getHeader('x-openstack-request-id'));
    const upstreamEnd = ctx?.upstreamAnsweredAt ?? (ctx?.upstreamStartedAt !== undefined ? performance.now() : undefined);
    logger.info(
      {
        requestId,
        method: req.method,
        route: routeTemplate(ctx),
        negotiatedVersion: ctx?.negotiated?.text,
        forwardedVersion: ctx?.forwarded?.text,
        rules: ctx ? ctx.rules.map((r) => r.id) : [],
        shadowRules: ctx?.shadowRules.length ? ctx.shadowRules.map((r) => r.id) : undefined,
        status: answered ? res.statusCode : undefined,
        answeredBy,
        completed: res.writableFinished,
        upstreamMs: ctx?.upstreamStartedAt !== undefined && upstreamEnd !== undefined ? round(upstreamEnd - ctx.upstreamStartedAt) : undefined,
        totalMs: round(performance.now() - startedAt),
      },
      'request',
    );
  });
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function boundedMethod(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'other';
}

/**
 * The canonical path template of a request, for logs: never raw ids, names or keys.
 *   /v2.1/{project_id}/images/{image_id}/metadata   a matched rule's own template
 *   /v2.1/servers/{id}/action                       otherwise Nova's collection/id alternation
 *   /v2.1/   /v2/   /                               the version documents and the root
 *   (unversioned)                                   anything else under the prefix
 * Undefined when the target was refused before routing or is outside the prefix.
 */
export function routeTemplate(ctx: RequestContext | undefined): string | undefined {
  const route = ctx?.route;
  if (!route) return undefined;
  switch (route.kind) {
    case 'root':
      return '/';
    case 'unversioned':
      return '(unversioned)';
    case 'v2.1-document':
      return '/v2.1/';
    case 'v2-document':
      return '/v2/';
    case 'v2.1':
    case 'v2': {
      const rule = ctx.rules[0] ?? ctx.shadowRules[0];
      const project = route.projectId !== undefined ? '/{project_id}' : '';
      return `/${route.kind}${project}${rule ? rule.path : resourceTemplate(route.resourcePath)}`;
    }
  }
}

/** Words Nova routes in an id position: /servers/detail, /os-hypervisors/statistics, /os-services/disable… */
const STATIC_IN_ID_POSITION = new Set([
  'detail', 'statistics', 'defaults', 'action', 'enable', 'disable', 'force-down', 'disable-log-reason', 'add', 'delete', 'search',
]);
const WORD = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Nova's paths alternate collection and member: /servers/{id}/metadata/{key}. Collection
 * positions keep their (word) name, member positions become {id} unless they are one of the
 * few words Nova routes there. A ".json"/".xml" format suffix is dropped.
 */
export function resourceTemplate(resourcePath: string): string {
  const segments = resourcePath.split('/').filter((s) => s !== '');
  if (segments.length === 0) return resourcePath === '' ? '' : '/';
  const out = segments.map((raw, i) => {
    const seg = raw.replace(/\.(json|xml)$/, '');
    if (i % 2 === 0) return WORD.test(seg) ? seg : '{?}';
    return STATIC_IN_ID_POSITION.has(seg) ? seg : '{id}';
  });
  return '/' + out.join('/');
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
