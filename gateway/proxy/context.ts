import type { IncomingMessage } from 'node:http';
import type { ComputeRoute } from '../url/computeRoute';
import type { Microversion } from '../microversion/version';
import type { CompiledRule, RuleSet } from '../rules/types';

/** What one request carries through the phases of the pipeline. */
export interface RequestContext {
  readonly startedAt: number;
  /** Rule set in force when the request started; a reload does not change it mid-request. */
  readonly ruleSet: RuleSet;
  /** Canonical path + raw query: exactly what is forwarded. */
  forwardTarget: string;
  route?: ComputeRoute;
  negotiated?: Microversion;
  forwarded?: Microversion;
  /** Rules enforced on this request, in file order. */
  rules: readonly CompiledRule[];
  /** Shadow rules that would have applied. */
  shadowRules: readonly CompiledRule[];
  /** The body to forward instead of the client's stream. */
  forwardBody?: Buffer;
  /** Work to do on the answer; set by request-phase actions. */
  response: ResponsePlan;
  upstreamStartedAt?: number;
  /** When the upstream's answer headers arrived. */
  upstreamAnsweredAt?: number;
  upstreamTimedOut?: boolean;
  /** The upstream's x-openstack-request-id, when it answered. */
  upstreamRequestId?: string;
  /** Who answered: the gateway itself or the upstream. */
  answeredBy?: 'gateway' | 'upstream';
}

export interface ResponsePlan {
  /** Replace version headers in the upstream's answer with the negotiated version. */
  rewriteVersionHeaders: boolean;
  /** Legacy /v2: strip version headers and their Vary entries. */
  stripVersionHeaders: boolean;
  /** Body transformations that need the whole JSON answer. */
  bodyEdits: BodyEdit[];
  /** Headers to add to the answer. */
  addHeaders: Record<string, string>;
  /** Run after a 2xx answer arrived, before it is sent. */
  afterSuccess?: (answer: UpstreamAnswer) => Promise<GatewayFault | undefined>;
}

/** An edit of the answer's text, known to be valid JSON: returns the new text. */
export type BodyEdit = (jsonText: string) => string;

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** A fault the gateway answers with instead of the upstream's answer. */
export interface GatewayFault {
  readonly status: number;
  readonly body: Buffer;
}

const CONTEXT = Symbol('microversion-gateway.context');

type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

export function attachContext(req: IncomingMessage, ctx: RequestContext): void {
  (req as WithContext)[CONTEXT] = ctx;
}

export function contextOf(req: IncomingMessage): RequestContext {
  const ctx = (req as WithContext)[CONTEXT];
  if (!ctx) throw new Error('request has no gateway context');
  return ctx;
}

export function newContext(ruleSet: RuleSet, target: string): RequestContext {
  return {
    startedAt: performance.now(),
    ruleSet,
    forwardTarget: target,
    rules: [],
    shadowRules: [],
    response: { rewriteVersionHeaders: false, stripVersionHeaders: false, bodyEdits: [], addHeaders: {} },
  };
}

export function needsBufferedAnswer(ctx: RequestContext): boolean {
  return ctx.response.bodyEdits.length > 0 || ctx.response.afterSuccess !== undefined;
}
