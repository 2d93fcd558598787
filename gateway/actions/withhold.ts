import type { WithholdAction } from '../rules/types';
import { checkPointer, mustParsePointer, pointerSchema, type ActionDefinition } from './definition';
import { expandPointer, resolvePointer } from '../rules/pointer';
import { unexpectedApiError } from '../nova/fault';
import { isValidNovaMetadata } from '../nova/metadataSchema';
import { hasMember, removeMembers } from '../proxy/jsonText';
import type { GatewayFault, UpstreamAnswer } from '../proxy/context';
import type { PropertyWriteOutcome } from './imageService';
import { imageIdFromAnswer, imageServiceFromLocation } from './imageService';
import type { ActionHandler, ActionRun } from './run';
import { firstHeader } from '../http/headerValues';

/** Server actions whose answer names the image they create (Location or image_id). */
export const IMAGE_CREATING_ACTIONS: readonly string[] = ['createImage', 'createBackup'];

/**
 * Remove a member from the request body before forwarding and, once the upstream has
 * answered 2xx, write it where the newer microversion keeps it (image properties in the
 * Image service for the image the action created).
 */
export const withholdAction: ActionDefinition<'withhold'> = {
  kind: 'withhold',
  phase: 'request',
  needsRequestBody: true,
  schema: {
    title: 'withhold action',
    description:
      'Remove a member from the request body before forwarding; after a 2xx answer write it to "writeTo" (image-properties: the properties of the image the createImage/createBackup action created, in the Image service).',
    type: 'object',
    additionalProperties: false,
    required: ['member', 'writeTo'],
    properties: {
      member: pointerSchema('The request body member withheld, e.g. /{action}/metadata.'),
      writeTo: {
        enum: ['image-properties'],
        description: 'image-properties: set the withheld object as properties of the created image in the Image service (Glance), which enforces its own property quota.',
      },
    },
  },
  check(config, ctx) {
    checkPointer(config.member, ['member'], ctx, { allowAction: true, what: 'the withheld member' });
    const others = ctx.serverActions.filter((a) => !IMAGE_CREATING_ACTIONS.includes(a));
    if (ctx.serverActions.length === 0 || others.length > 0) {
      ctx.error(
        ['writeTo'],
        `writeTo image-properties needs an action that creates an image: set match.serverActions to createImage and/or createBackup${
          others.length ? ` (not ${others.map((o) => `"${o}"`).join(', ')})` : ''
        }`,
      );
    }
  },
  compile(config): WithholdAction {
    return { kind: 'withhold', member: mustParsePointer(config.member), writeTo: config.writeTo };
  },
  expand: (a, name) => ({ ...a, member: expandPointer(a.member, name) }),
  describe: (a) => `withhold ${a.member.source} from the request body, then write it to ${a.writeTo} after a 2xx answer`,
};

export type WithholdOutcome = 'written' | 'refused' | 'unreachable' | 'no-image-id' | 'no-image-service';

/**
 * Removes a body member (createImage/createBackup metadata) before forwarding, so a legacy
 * upstream's compute quota never sees it, and writes it as image properties through the
 * Image service once the upstream answered 2xx: the Image service's own quota applies.
 */
export const withhold: ActionHandler<WithholdAction> = {
  kind: 'withhold',
  requestStep(action, run) {
    const properties = resolvePointer(run.bodyJson, action.member);
    // Invalid metadata is forwarded untouched: the upstream's schema validation answers Nova's exact 400.
    if (!isNonEmptyObject(properties) || !isValidNovaMetadata(properties) || run.bodyText === undefined) return 'continue';
    if (!hasMember(run.bodyText, action.member)) return 'continue';
    run.ctx.forwardBody = Buffer.from(removeMembers(run.bodyText, [action.member]));
    const previous = run.ctx.response.afterSuccess;
    run.ctx.response.afterSuccess = async (answer) =>
      (await previous?.(answer)) ?? writeBack(run, properties, answer);
    return 'continue';
  },
};

async function writeBack(run: ActionRun, properties: Record<string, unknown>, answer: UpstreamAnswer): Promise<GatewayFault | undefined> {
  const { env, rule, req } = run;
  const location = firstHeader(answer.headers.location);
  const imageId = imageIdFromAnswer(location, answer.body);
  const base = env.imageServiceUrl ?? imageServiceFromLocation(location);
  const token = firstHeader(req.headers['x-auth-token']);
  const record = (outcome: WithholdOutcome, detail?: string) => {
    env.metrics.withholdOutcomes.inc({ rule: rule.id, outcome });
    const level = outcome === 'written' ? 'debug' : 'error';
    env.logger[level]({ rule: rule.id, outcome, imageId, detail }, 'withheld properties');
  };
  if (!imageId) return record('no-image-id', 'the upstream answer names no image'), undefined;
  if (!base) return record('no-image-service', 'set --image-service'), undefined;
  const result = await env.imageService.addProperties(base, imageId, properties, token);
  if (result.ok) return record('written'), undefined;
  record(result.kind, result.detail);
  // Nova at 2.39 sends the properties with the image create: when Glance refuses, no image
  // is left and the client gets Nova's 500 for the glanceclient exception. Do the same.
  await env.imageService.deleteImage(base, imageId, token);
  return { status: 500, body: Buffer.from(unexpectedApiError(glanceClientException(result))) };
}

/** The glanceclient exception Nova would have let through for the Image service's answer. */
function glanceClientException(result: Exclude<PropertyWriteOutcome, { ok: true }>): string {
  if (result.kind === 'unreachable') return 'glanceclient.exc.CommunicationError';
  return `glanceclient.exc.${GLANCECLIENT_HTTP_ERRORS[result.status] ?? 'HTTPException'}`;
}

const GLANCECLIENT_HTTP_ERRORS: Readonly<Record<number, string>> = {
  400: 'HTTPBadRequest', 401: 'HTTPUnauthorized', 403: 'HTTPForbidden', 404: 'HTTPNotFound', 405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict', 413: 'HTTPOverLimit', 415: 'HTTPUnsupported', 429: 'HTTPTooManyRequests',
};

function isNonEmptyObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0;
}
