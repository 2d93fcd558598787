import type { PrecheckAction, CompiledPointer } from '../rules/types';
import type { ActionHandler, ActionRun } from './run';

/**
 * Counts the members at a pointer of the request body and refuses when the count exceeds
 * the limit, with Nova's semantics: count == limit passes, -1 is unlimited, an absent or
 * empty member is never checked.
 */
export const precheck: ActionHandler<PrecheckAction> = {
  kind: 'precheck',
  needsJsonBody: true,
  async requestStep(action, run) {
    const count = memberCount(valueAt(run.bodyJson, action.count));
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
        token: headerValue(req.headers['x-auth-token']),
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
    const v = headerValue(headers[name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

export function valueAt(json: unknown, pointer: CompiledPointer): unknown {
  let node = json;
  for (const t of pointer.tokens) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(t)] : (node as Record<string, unknown>)[t];
  }
  return node;
}

function memberCount(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return 0;
}
