import type { LimitSource, PrecheckAction } from '../rules/types';
import {
  checkFaultMessage,
  checkPointer,
  compileFault,
  messageSchema,
  mustParsePointer,
  pointerSchema,
  statusSchema,
  type ActionDefinition,
} from './definition';
import { expandPointer } from '../rules/pointer';
import type { ActionHandler, ActionRun } from './run';
import { joinedHeader } from '../http/headerValues';
import { resolvePointer } from '../rules/pointer';

/**
 * Count the members at a pointer in the request body and refuse when the count exceeds a
 * limit (Nova's rule: limit >= 0 and count > limit; -1 = unlimited; missing or empty = no check).
 */
export const precheckAction: ActionDefinition<'precheck'> = {
  kind: 'precheck',
  phase: 'request',
  needsRequestBody: true,
  schema: {
    title: 'precheck action',
    description:
      'Before forwarding, count the members (object keys or array items) at "count" in the request body; when the count exceeds the limit (limit >= 0 and count > limit), answer with a fault. Missing or empty members are not checked.',
    type: 'object',
    additionalProperties: false,
    required: ['count', 'limit', 'status'],
    properties: {
      count: pointerSchema('Member of the request body whose keys or items are counted, e.g. /{action}/metadata.'),
      limit: {
        title: 'precheck limit',
        description: 'Where the limit comes from: exactly one of "value" or "fromUpstreamLimits".',
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        properties: {
          value: { type: 'integer', minimum: -1, description: 'A fixed limit; -1 means unlimited.' },
          fromUpstreamLimits: pointerSchema(
            "A number in the upstream's GET /limits answer for the same caller, e.g. /limits/absolute/maxImageMeta.",
          ),
        },
      },
      status: statusSchema('refusal'),
      message: messageSchema('refusal'),
    },
  },
  check(config, ctx) {
    checkPointer(config.count, ['count'], ctx, { allowAction: true, what: 'the precheck count' });
    if (typeof config.limit.fromUpstreamLimits === 'string') {
      checkPointer(config.limit.fromUpstreamLimits, ['limit', 'fromUpstreamLimits'], ctx, {
        allowAction: false,
        what: 'fromUpstreamLimits',
      });
    }
    checkFaultMessage(config.status, config.message, ['status'], ctx, 'precheck');
  },
  compile(config): PrecheckAction {
    const limit: LimitSource =
      config.limit.value !== undefined
        ? { kind: 'fixed', value: config.limit.value }
        : { kind: 'upstream-limits', pointer: mustParsePointer(config.limit.fromUpstreamLimits) };
    return { kind: 'precheck', count: mustParsePointer(config.count), limit, ...compileFault(config.status, config.message) };
  },
  expand: (a, name) => ({ ...a, count: expandPointer(a.count, name) }),
  describe: (a) =>
    `precheck: if ${a.count.source} in the request body has more members than ${
      a.limit.kind === 'fixed' ? `${a.limit.value}` : `the upstream's GET /limits ${a.limit.pointer.source}`
    }, respond ${a.status} ${JSON.stringify(a.message)}`,
};

/**
 * Counts the members at a pointer of the request body and refuses when the count exceeds
 * the limit, with Nova's semantics: count == limit passes, -1 is unlimited, an absent or
 * empty member is never checked.
 */
export const precheck: ActionHandler<PrecheckAction> = {
  kind: 'precheck',
  async requestStep(action, run) {
    const count = memberCount(resolvePointer(run.bodyJson, action.count));
    if (!count) return 'continue';
    const limit = await limitFor(action, run);
    if (limit === undefined || limit < 0 || count <= limit) return 'continue';
    run.env.metrics.precheckRejections.inc({ rule: run.rule.id });
    run.answerFault(action.status, action.body);
    return 'answered';
  },
};

async function limitFor(action: PrecheckAction, run: ActionRun): Promise<number | undefined> {
  if (action.limit.kind === 'fixed') return action.limit.value;
  const { ctx, req, env } = run;
  const route = ctx.route!;
  try {
    return await env.limits.limitAt(
      {
        path: limitsPath(ctx.forwardTarget, route.resourcePath, route.projectId),
        token: joinedHeader(req.headers['x-auth-token']),
        projectId: route.projectId,
        versionHeaders: forwardedVersionHeaders(req.headers, env.versionHeaderNames),
      },
      action.limit.pointer,
    );
  } catch (err) {
    env.logger.warn({ rule: run.rule.id, err: (err as Error).message }, 'precheck could not read the upstream limits; forwarding unchecked');
    return undefined;
  }
}

/** The caller's limits document beside the requested resource: same prefix, API and project. */
function limitsPath(forwardTarget: string, resourcePath: string, projectId: string | undefined): string {
  const path = forwardTarget.split('?', 1)[0];
  const apiBase = path.slice(0, path.length - resourcePath.length - (projectId ? projectId.length + 1 : 0));
  return `${apiBase}${projectId ? '/' + projectId : ''}/limits`;
}

function forwardedVersionHeaders(headers: Record<string, string | string[] | undefined>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = joinedHeader(headers[name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function memberCount(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return 0;
}
