import type { WithholdAction } from '../types';
import { checkPointer, mustParsePointer, pointerSchema, type ActionDefinition } from './action';
import { expandPointer } from '../pointer';

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
