import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { contextOf, type RequestContext } from '../proxy/context';
import { statusClass, type GatewayMetrics } from './metrics';

/** One access line and the request counters, when the answer is finished or the client left. */
export function observeRequest(req: IncomingMessage, res: ServerResponse, metrics: GatewayMetrics, logger: Logger): void {
  const startedAt = performance.now();
  res.once('close', () => {
    let ctx: RequestContext | undefined;
    try {
      ctx = contextOf(req);
    } catch {
      ctx = undefined;
    }
    const status = res.statusCode;
    const answeredBy = ctx?.answeredBy ?? 'gateway';
    metrics.requests.inc({
      method: boundedMethod(req.method),
      status_class: statusClass(status),
      version: ctx?.negotiated?.text ?? 'none',
      answered_by: answeredBy,
    });
    if (!logger.isLevelEnabled('info')) return;
    const requestId = ctx?.upstreamRequestId ?? res.getHeader('x-openstack-request-id');
    logger.info(
      {
        requestId,
        method: req.method,
        route: routeTemplate(ctx),
        negotiatedVersion: ctx?.negotiated?.text,
        forwardedVersion: ctx?.forwarded?.text,
        rules: ctx?.rules.map((r) => r.id),
        shadowRules: ctx?.shadowRules.length ? ctx.shadowRules.map((r) => r.id) : undefined,
        status,
        answeredBy,
        completed: res.writableFinished,
        upstreamMs: ctx?.upstreamStartedAt !== undefined ? round(performance.now() - ctx.upstreamStartedAt) : undefined,
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

/** The matched rule's template, else the API kind: never raw ids. */
function routeTemplate(ctx: RequestContext | undefined): string | undefined {
  if (!ctx?.route) return undefined;
  const rule = ctx.rules[0] ?? ctx.shadowRules[0];
  return rule ? `${ctx.route.kind} ${rule.path}` : ctx.route.kind;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
