import type { RemoveAction } from '../rules/types';
import { checkPointer, mustParsePointer, pointerSchema, type ActionDefinition } from './definition';
import { expandPointer } from '../rules/pointer';
import { removeMembers } from '../proxy/jsonText';
import type { ActionHandler } from './run';

/** Remove members from a 2xx JSON answer (e.g. a limit a newer microversion dropped). */
export const removeAction: ActionDefinition<'remove'> = {
  kind: 'remove',
  phase: 'response',
  needsRequestBody: false,
  schema: {
    title: 'remove action',
    description: "Remove members from the upstream's 2xx JSON answer; absent members are ignored.",
    type: 'object',
    additionalProperties: false,
    required: ['pointers'],
    properties: {
      pointers: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        description: 'JSON Pointers (RFC 6901) of the members to remove, e.g. /limits/absolute/maxImageMeta. "{action}" stands for the server action name when the rule has serverActions.',
        items: pointerSchema('A member of the answer to remove.'),
      },
    },
  },
  check(config, ctx) {
    (config.pointers as string[]).forEach((p, i) =>
      checkPointer(p, ['pointers', i], ctx, { allowAction: true, what: 'a remove pointer' }),
    );
  },
  compile(config): RemoveAction {
    return { kind: 'remove', pointers: (config.pointers as string[]).map(mustParsePointer) };
  },
  expand: (a, name) => ({ kind: 'remove', pointers: a.pointers.map((p) => expandPointer(p, name)) }),
  describe: (a) => `remove ${a.pointers.map((p) => p.source).join(', ')} from a 2xx JSON answer`,
};

/** Deletes members (JSON Pointers) from a 2xx JSON answer, keeping every other byte. */
export const remove: ActionHandler<RemoveAction> = {
  kind: 'remove',
  requestStep(action, run) {
    run.ctx.response.bodyEdits.push((jsonText) => removeMembers(jsonText, action.pointers));
    return 'continue';
  },
};
