import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { canonicalTarget, refusalMessage } from '../url/canonicalPath';
import { parseComputeRoute } from '../url/computeRoute';
import { negotiateVersion, type VersionRange } from '../microversion/negotiate';
import { minMicroversion, type Microversion } from '../microversion/version';
import type { VersionHeaderSet } from '../microversion/responseHeaders';
import type { VersionedService } from '../microversion/service';
import { advertiseInDiscoveryDocument } from '../microversion/discoveryDocument';
import {
  MALFORMED_BODY, UNSUPPORTED_CONTENT_TYPE, contentTypeRefused, mediaTypeSelectsVersion, novaDecodesBody, peekServerAction,
} from '../nova/requestChecks';
import type { CompiledRule, RuleSet, RuleAction } from '../rules/types';
import { actionDefinition, handlerFor } from '../actions';
import type { ActionEnvironment, ActionRun } from '../actions/run';
import type { GatewayMetrics } from '../observe/metrics';
import { GatewayAnswers, ROUTER_NOT_FOUND_BODY, ROUTER_NOT_FOUND_TYPE } from './answer';
import { BodyTooLargeError, readBounded } from './body';
import { attachContext, contextOf, newContext, type RequestContext } from './context';
import { stripHopByHop } from './hopByHop';
import type { Forwarder } from './forward';

/** What the pipeline reads per request; swapped atomically on reload or discovery. */
export interface GatewayState {
  ruleSet: RuleSet;
  /** Known once the upstream maximum is known. */
  upstream?: { readonly range: VersionRange; readonly max: Microversion };
  advertised?: VersionRange;
}

export interface PipelineDeps {
  readonly state: GatewayState;
  readonly prefix: string;
  readonly service: VersionedService;
  readonly versionHeaderSet: VersionHeaderSet;
  readonly answers: GatewayAnswers;
  readonly forwarder: Forwarder;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly shadowAll: boolean;
  readonly actionEnv: ActionEnvironment;
}


/**
 * One request, top to bottom:
 * canonicalise → route → negotiate → match rules → request actions → forward → answer.
 */
export function createPipeline(deps: PipelineDeps) {
  const { state, answers, metrics } = deps;
  const standardHeader = deps.versionHeaderSet.standardName.toLowerCase();
  const legacyHeader = deps.versionHeaderSet.legacyName.toLowerCase();

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const canonical = canonicalTarget(req.url ?? '', req.headers.host);
    if (!canonical.ok) {
      metrics.refusedTargets.inc({ reason: canonical.reason });
      answers.fault(res, 400, refusalMessage(canonical.reason));
      return;
    }
    const { path, query } = canonical.target;
    const ctx = newContext(state.ruleSet, path + query);
    attachContext(req, ctx);
    req.url = ctx.forwardTarget;
    const route = parseComputeRoute(path, deps.prefix);
    if (!route) return answerRouterNotFound(res);
    ctx.route = route;
    const upstream = state.upstream;
    const advertised = state.advertised;
    if (!upstream || !advertised) {
      answers.fault(res, 503);
      return;
    }
    prepareForwarding(req);

    switch (route.kind) {
      case 'root':
        planDiscoveryRewrite(ctx, advertised, upstream.max);
        return forward(req, res);
      case 'unversioned':
        if (mediaTypeSelectsVersion(req.headers)) {
          answers.fault(res, 400, 'Malformed request URL: API selection by media-type version parameter is not supported; use the /v2.1 path.');
          return;
        }
        return forward(req, res);
      case 'v2-document':
      case 'v2':
        stripRequestVersionHeaders(req);
        ctx.response.stripVersionHeaders = true;
        if (route.kind === 'v2') return applyRules(req, res, ctx, 'v2', advertised.min);
        return forward(req, res);
      case 'v2.1-document':
      case 'v2.1': {
        const negotiation = negotiateVersion(req.headers, deps.service, advertised);
        if (!negotiation.ok) {
          answers.fault(res, negotiation.status, negotiation.message, negotiation.status === 406 ? negotiation.echo : undefined);
          return;
        }
        ctx.negotiated = negotiation.version;
        ctx.forwarded = minMicroversion(negotiation.version, upstream.max);
        setRequestVersionHeaders(req, ctx.forwarded);
        ctx.response.rewriteVersionHeaders = true;
        if (route.kind === 'v2.1-document') {
          planDiscoveryRewrite(ctx, advertised, upstream.max);
          return forward(req, res);
        }
        return applyRules(req, res, ctx, 'v2.1', negotiation.version);
      }
    }
  };

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const ctx = contextOf(req);
    metrics.forwardedAt(ctx.forwarded?.text ?? 'none').inc();
    ctx.answeredBy = 'upstream';
    deps.forwarder.forward(req, res);
  }

  function answerRouterNotFound(res: ServerResponse): void {
    res.writeHead(404, { 'Content-Type': ROUTER_NOT_FOUND_TYPE, 'Content-Length': ROUTER_NOT_FOUND_BODY.length });
    res.end(res.req.method === 'HEAD' ? undefined : ROUTER_NOT_FOUND_BODY);
  }

  /** Hop-by-hop fields end here; Expect was answered by Node already. */
  function prepareForwarding(req: IncomingMessage): void {
    stripHopByHop(req.headers);
    if (req.headers.expect !== undefined) delete req.headers.expect;
  }

  function stripRequestVersionHeaders(req: IncomingMessage): void {
    delete req.headers[standardHeader];
    delete req.headers[legacyHeader];
  }

  /** The upstream is asked exactly the version the gateway decided on, in both header forms. */
  function setRequestVersionHeaders(req: IncomingMessage, version: Microversion): void {
    req.headers[standardHeader] = deps.versionHeaderSet.standardValue(version.text);
    req.headers[legacyHeader] = version.text;
  }

  function planDiscoveryRewrite(ctx: RequestContext, advertised: VersionRange, upstreamMax: Microversion): void {
    if (advertised.max.key === upstreamMax.key) return;
    const max = advertised.max.text;
    ctx.response.bodyEdits.push((text) => advertiseInDiscoveryDocument(text, max));
  }

  async function applyRules(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, api: 'v2.1' | 'v2', version: Microversion) {
    const match = ctx.ruleSet.match({ method: req.method ?? 'GET', api, resourcePath: ctx.route!.resourcePath, version });
    if (match.rules.length === 0) return forward(req, res);
    const answerVersion = ctx.negotiated?.text;
    const shadow = (r: CompiledRule) => deps.shadowAll || r.shadow;
    // Shadow rules are counted, never felt: only rules to enforce may make the gateway answer (415, 400).
    const enforcing = match.rules.some((r) => !shadow(r));
    const needsBody = match.rules.some((r) => !shadow(r) && r.actions.some((a) => bodyNeeded(a, req)));
    let bodyText: string | undefined;
    let bodyJson: unknown;
    let rules = match.rules;
    if (needsBody || match.needsServerAction) {
      if (contentTypeRefused(req.headers)) {
        return enforcing ? answers.fault(res, 415, UNSUPPORTED_CONTENT_TYPE, answerVersion) : forward(req, res);
      }
      let body: Buffer;
      try {
        body = await readBounded(req, deps.bodyLimitBytes);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          answers.fault(res, 413, 'Request is too large.', answerVersion, { Connection: 'close' });
          return;
        }
        req.destroy();
        return;
      }
      ctx.forwardBody = body;
      if (body.length > 0 && (novaDecodesBody(req.method, req.headers) || match.needsServerAction)) {
        try {
          // Nova decodes the bytes as strict UTF-8 before parsing: anything else is a malformed body.
          bodyText = STRICT_UTF8.decode(body);
          bodyJson = JSON.parse(bodyText);
        } catch {
          return enforcing ? answers.fault(res, 400, MALFORMED_BODY, answerVersion) : forward(req, res);
        }
      }
      if (match.needsServerAction) {
        const action = peekServerAction(bodyJson);
        if (action === undefined) return enforcing ? answers.fault(res, 400, MALFORMED_BODY, answerVersion) : forward(req, res);
        rules = match.forServerAction(action);
      }
    }
    ctx.rules = rules.filter((r) => !shadow(r));
    ctx.shadowRules = rules.filter(shadow);
    for (const r of ctx.shadowRules) for (const a of r.actions) metrics.ruleHits.inc({ rule: r.id, action: a.kind, mode: 'shadow' });
    // Two passes: headers first, so that any answer, the gateway's own included, carries them.
    for (const headersPass of [true, false]) {
      for (const rule of ctx.rules) {
        for (const action of rule.actions) {
          if ((action.kind === 'headers') !== headersPass) continue;
          metrics.ruleHits.inc({ rule: rule.id, action: action.kind, mode: 'enforced' });
          const run: ActionRun = {
            req, res, ctx, rule, bodyText, bodyJson, env: deps.actionEnv,
            answerFault: (status, body) => answers.faultBytes(res, status, body, answerVersion, ctx.response.addHeaders),
          };
          if ((await handlerFor(action).requestStep(action, run)) === 'answered') {
            ctx.answeredBy = 'gateway';
            return;
          }
        }
      }
    }
    return forward(req, res);
  }
}

/**
 * A request body as Nova's jsonutils.loads decodes it: invalid UTF-8 fails (no silent U+FFFD that
 * a withheld body would then forward), a byte order mark is kept (and fails JSON.parse, as in Python).
 */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Whether an action needs the request body: its own JSON, or, for a gateway-made answer,
 * Nova's checks that run before the version gate (415, malformed body).
 */
function bodyNeeded(action: RuleAction, req: IncomingMessage): boolean {
  if (actionDefinition(action.kind).needsRequestBody) return true;
  return action.kind === 'respond' && (req.headers['content-type'] !== undefined || novaDecodesBody(req.method, req.headers));
}
