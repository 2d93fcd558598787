import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RequestContext } from '../proxy/context';
import type { CompiledRule, RuleAction } from '../rules/types';
import type { GatewayMetrics } from '../observe/metrics';
import type { LimitsCache } from './limitsCache';
import type { ImageService } from './imageService';

/** What an action's request step can see and do. */
export interface ActionRun {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: RequestContext;
  readonly rule: CompiledRule;
  /** The request body's text and parse, when the body was read. */
  readonly bodyText?: string;
  readonly bodyJson?: unknown;
  readonly env: ActionEnvironment;
  /** Answer the client with a pre-serialised Nova fault (version headers added). */
  answerFault(status: number, body: Buffer): void;
}

export interface ActionEnvironment {
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly limits: LimitsCache;
  readonly imageService: ImageService;
  readonly rewriteLimitBytes: number;
  /** --image-service, when configured. */
  readonly imageServiceUrl?: URL;
  /** Lower-cased names of the two request version headers. */
  readonly versionHeaderNames: readonly string[];
}

export type StepResult = 'continue' | 'answered';

/** One action kind: its request step (plans response work on ctx.response, or answers). */
export interface ActionHandler<A extends RuleAction> {
  readonly kind: A['kind'];
  requestStep(action: A, run: ActionRun): Promise<StepResult> | StepResult;
}
