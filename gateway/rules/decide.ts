import type { IncomingHttpHeaders } from 'node:http';
import { canonicalTarget, type CanonicalTarget, type RefusalReason, refusalMessage } from '../url/canonicalPath';
import { parseComputeRoute, type ComputeRoute } from '../url/computeRoute';
import { negotiateVersion, type VersionRange } from '../microversion/negotiate';
import { NOVA_SERVICE } from '../microversion/service';
import { requestedVersionText } from '../microversion/requestHeader';
import { microversion, minMicroversion, type Microversion } from '../microversion/version';
import { faultBody } from '../nova/fault';
import { advertisedMaximum, type AdvertisedMaximum } from './advertised';
import { actionDefinition, describeAction } from '../actions';
import { UNSUPPORTED_CONTENT_TYPE, contentTypeRefused } from '../nova/requestChecks';
import { resolvePointer } from './pointer';
import type { CompiledRule, PrecheckAction, RuleAction, RuleApi, RuleSet } from './types';

/** A request as a client sends it (nothing is contacted). */
export interface DecideRequest {
  readonly method: string;
  /** The request target as sent: path and query. */
  readonly target: string;
  /** Request headers, any case (e.g. OpenStack-API-Version). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The parsed JSON body; undefined for none. */
  readonly body?: unknown;
}

export interface DecideOptions {
  /** Path prefix the compute API is mounted under (e.g. "/compute"); default none. */
  readonly prefix?: string;
  /** The upstream's maximum microversion; default: just below the lowest one the files introduce. */
  readonly upstreamMax?: Microversion;
  /** The upstream's GET /limits answer, for prechecks that read their limit there. */
  readonly upstreamLimits?: unknown;
  /** The Host header, for absolute-form targets. */
  readonly host?: string;
}

export interface AdvertisedRange extends VersionRange {
  readonly upstreamMax: Microversion;
  /** True when the upstream maximum was not given and defaultUpstreamMax was used. */
  readonly upstreamMaxAssumed: boolean;
  readonly stoppedAt?: AdvertisedMaximum['stoppedAt'];
}

export type Outcome =
  /** Refused before any rule: canonicalisation (400), negotiation (400/406) or a server action body (400). */
  | {
      readonly kind: 'refuse';
      readonly stage: 'canonicalise' | 'negotiate' | 'body';
      readonly status: number;
      readonly reason: string;
      /** Fault body, when the gateway's text is known here (negotiation, body). */
      readonly body?: string;
      /** A 406 echoes the requested version in the version headers. */
      readonly echoVersion?: string;
    }
  /** Outside the prefix: Nova's router-level 404 (plain text, no version headers). */
  | { readonly kind: 'not-found'; readonly status: 404 }
  /** The gateway answers itself, by a respond or a failing precheck. */
  | { readonly kind: 'respond'; readonly status: number; readonly body: string; readonly ruleId: string; readonly by: 'respond' | 'precheck' }
  /** Forwarded upstream, at `version` when microversioned. */
  | { readonly kind: 'forward'; readonly version?: Microversion };

export interface DecisionStep {
  readonly ruleId: string;
  readonly phase: 'request' | 'response';
  readonly action: RuleAction;
  /** What the step does, in words. */
  readonly text: string;
  /** Set when the step decides the answer (respond, failing precheck). */
  readonly answers?: boolean;
}

export interface Decision {
  readonly canonical?: CanonicalTarget;
  readonly refusal?: RefusalReason;
  readonly route?: ComputeRoute;
  readonly advertised: AdvertisedRange;
  /** The version the client asked for, as written (undefined: none, or legacy /v2). */
  readonly requested?: string;
  /** Negotiated version (2.1 for legacy /v2). */
  readonly version?: Microversion;
  /** The version sent upstream: the negotiated one, capped at the upstream maximum. */
  readonly forwardVersion?: Microversion;
  readonly serverAction?: string;
  /** Enforced rules that act, in order. */
  readonly rules: readonly CompiledRule[];
  /** Shadow rules that would act (counted, not enforced). */
  readonly shadowRules: readonly CompiledRule[];
  readonly steps: readonly DecisionStep[];
  readonly outcome: Outcome;
  readonly notes: readonly string[];
}

const V2_1 = microversion(2, 1);

/** The upstream maximum assumed when none is given: the version below the first one the files introduce. */
export function defaultUpstreamMax(ruleSet: RuleSet): Microversion {
  const lowest = ruleSet.introduced[0];
  if (!lowest || lowest.minor <= 1) return V2_1;
  const below = microversion(lowest.major, lowest.minor - 1);
  return below.key < V2_1.key ? V2_1 : below;
}

export function advertisedRange(ruleSet: RuleSet, upstreamMax: Microversion | undefined): AdvertisedRange {
  const upstream = upstreamMax ?? defaultUpstreamMax(ruleSet);
  const raise = advertisedMaximum(upstream, ruleSet.introduced);
  return {
    min: V2_1,
    max: raise.max,
    upstreamMax: upstream,
    upstreamMaxAssumed: upstreamMax === undefined,
    ...(raise.stoppedAt ? { stoppedAt: raise.stoppedAt } : {}),
  };
}

/** The server action named by a body: its single top-level key (Nova's action_peek). */
export function serverActionOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  return keys.length === 1 ? keys[0] : undefined;
}

/**
 * What the gateway would do with a request, contacting nothing: canonicalise, route,
 * negotiate against the advertised range, match rules, and list their steps in the order
 * the gateway runs them. Used by rule-file examples and by `explain`.
 */
export function decide(ruleSet: RuleSet, request: DecideRequest, options: DecideOptions = {}): Decision {
  const advertised = advertisedRange(ruleSet, options.upstreamMax);
  const notes: string[] = [];
  const base = { advertised, rules: [], shadowRules: [], steps: [], notes };

  const canonical = canonicalTarget(request.target, options.host);
  if (!canonical.ok) {
    return {
      ...base,
      refusal: canonical.reason,
      outcome: { kind: 'refuse', stage: 'canonicalise', status: 400, reason: refusalMessage(canonical.reason), body: faultBody(400, refusalMessage(canonical.reason)) },
    };
  }
  const route = parseComputeRoute(canonical.target.path, options.prefix ?? '');
  const withRoute = { ...base, canonical: canonical.target, route };
  if (!route) {
    return { ...withRoute, route: undefined, outcome: { kind: 'not-found', status: 404 } };
  }
  const headers = lowerCaseHeaders(request.headers ?? {});

  let api: RuleApi;
  let version: Microversion;
  let requested: string | undefined;
  let forwardVersion: Microversion | undefined;
  switch (route.kind) {
    case 'root':
    case 'unversioned':
    case 'v2-document':
      notes.push(describeRouteKind(route));
      return { ...withRoute, outcome: { kind: 'forward' } };
    case 'v2':
      api = 'v2';
      version = V2_1;
      notes.push('legacy /v2: microversion headers are stripped, the request runs as 2.1');
      break;
    case 'v2.1-document':
    case 'v2.1': {
      requested = requestedVersionText(headers, NOVA_SERVICE);
      const negotiation = negotiateVersion(headers, NOVA_SERVICE, advertised);
      if (!negotiation.ok) {
        return {
          ...withRoute,
          requested,
          outcome: {
            kind: 'refuse',
            stage: 'negotiate',
            status: negotiation.status,
            reason: negotiation.message,
            body: faultBody(negotiation.status, negotiation.message),
            ...(negotiation.status === 406 ? { echoVersion: negotiation.echo } : {}),
          },
        };
      }
      api = 'v2.1';
      version = negotiation.version;
      forwardVersion = minMicroversion(version, advertised.upstreamMax);
      if (route.kind === 'v2.1-document') {
        notes.push(describeRouteKind(route));
        return { ...withRoute, requested, version, forwardVersion, outcome: { kind: 'forward', version: forwardVersion } };
      }
      break;
    }
  }

  const match = ruleSet.match({ method: request.method, api, resourcePath: route.resourcePath, version });
  let applicable = match.rules;
  let serverAction: string | undefined;
  if (match.needsServerAction) {
    serverAction = serverActionOf(request.body);
    if (serverAction === undefined) {
      const reason = 'Malformed request body';
      return {
        ...withRoute,
        requested,
        version,
        forwardVersion,
        outcome: { kind: 'refuse', stage: 'body', status: 400, reason, body: faultBody(400, reason) },
      };
    }
    applicable = match.forServerAction(serverAction);
  }
  const rules = applicable.filter((r) => !r.shadow);
  const shadowRules = applicable.filter((r) => r.shadow);
  // As the pipeline: a rule that reads the body or answers in Nova's place first runs Nova's 415 check.
  const readsRequest = rules.some((r) => r.actions.some((a) => a.kind === 'respond' || actionDefinition(a.kind).needsRequestBody));
  if (readsRequest && contentTypeRefused(headers)) {
    return {
      ...withRoute, requested, version, forwardVersion, rules, shadowRules,
      outcome: { kind: 'refuse', stage: 'body', status: 415, reason: UNSUPPORTED_CONTENT_TYPE, body: faultBody(415, UNSUPPORTED_CONTENT_TYPE) },
    };
  }
  for (const r of rules) {
    if (r.introducedIn.key <= advertised.upstreamMax.key) {
      notes.push(`rule "${r.id}" emulates ${r.introducedIn.text}, which the upstream (max ${advertised.upstreamMax.text}) implements itself; it still applies`);
    }
  }

  const steps: DecisionStep[] = [];
  let outcome: Outcome | undefined;
  // Request phase in rule order: the first respond answers; prechecks may answer; withholds edit the body.
  for (const rule of rules) {
    for (const action of rule.actions) {
      if (action.kind === 'respond' && !outcome) {
        steps.push({ ruleId: rule.id, phase: 'request', action, text: describeAction(action), answers: true });
        outcome = { kind: 'respond', status: action.status, body: action.body.toString('utf8'), ruleId: rule.id, by: 'respond' };
      }
    }
  }
  if (!outcome) {
    for (const rule of rules) {
      for (const action of rule.actions) {
        if (outcome) break;
        if (action.kind === 'precheck') {
          const verdict = evaluatePrecheck(action, request.body, options.upstreamLimits);
          steps.push({ ruleId: rule.id, phase: 'request', action, text: `${describeAction(action)} — ${verdict.text}`, answers: verdict.exceeded });
          if (verdict.exceeded) {
            outcome = { kind: 'respond', status: action.status, body: action.body.toString('utf8'), ruleId: rule.id, by: 'precheck' };
          }
        } else if (action.kind === 'withhold') {
          const present = resolvePointer(request.body, action.member) !== undefined;
          steps.push({
            ruleId: rule.id,
            phase: 'request',
            action,
            text: `${describeAction(action)}${request.body === undefined ? '' : present ? '' : ` — ${action.member.source} is absent: nothing to withhold`}`,
          });
        }
      }
    }
  }
  for (const rule of rules) {
    for (const action of rule.actions) {
      if (action.kind === 'headers' || (action.kind === 'remove' && !outcome)) {
        steps.push({ ruleId: rule.id, phase: 'response', action, text: describeAction(action) });
      }
    }
  }
  return {
    ...withRoute,
    requested,
    version,
    forwardVersion,
    serverAction,
    rules,
    shadowRules,
    steps,
    outcome: outcome ?? { kind: 'forward', ...(forwardVersion ? { version: forwardVersion } : {}) },
  };
}

function lowerCaseHeaders(headers: Readonly<Record<string, string>>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function describeRouteKind(route: ComputeRoute): string {
  switch (route.kind) {
    case 'root':
      return 'root version list: forwarded, no microversion processing (the advertised maximum is rewritten in the answer)';
    case 'unversioned':
      return "unversioned path: forwarded (Nova answers 300 Multiple Choices)";
    case 'v2-document':
      return 'v2 version document: forwarded, no microversions';
    case 'v2.1-document':
      return 'v2.1 version document: forwarded (the advertised maximum is rewritten in the answer)';
    default:
      return '';
  }
}

/** Nova's rule: exceeded when limit >= 0 and count > limit; a missing or empty member is not checked. */
function evaluatePrecheck(action: PrecheckAction, body: unknown, upstreamLimits: unknown): { exceeded: boolean; text: string } {
  const member = resolvePointer(body, action.count);
  const count = Array.isArray(member)
    ? member.length
    : member !== null && typeof member === 'object'
      ? Object.keys(member).length
      : undefined;
  if (!count) return { exceeded: false, text: `${action.count.source} is absent or empty: not checked` };
  let limit: number | undefined;
  if (action.limit.kind === 'fixed') limit = action.limit.value;
  else {
    const v = resolvePointer(upstreamLimits, action.limit.pointer);
    limit = typeof v === 'number' ? v : undefined;
  }
  if (limit === undefined) {
    return { exceeded: false, text: `counts ${count}; the limit is read from the upstream at run time (not contacted here)` };
  }
  const exceeded = limit >= 0 && count > limit;
  return { exceeded, text: `counts ${count} against limit ${limit}: ${exceeded ? 'exceeded' : 'within'}` };
}
