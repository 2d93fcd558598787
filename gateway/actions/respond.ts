import type { RespondAction } from '../rules/types';
import { checkFaultMessage, compileFault, messageSchema, statusSchema, type ActionDefinition } from './definition';
import type { ActionHandler } from './run';

/** Answer the request with a Nova fault instead of forwarding it. */
export const respondAction: ActionDefinition<'respond'> = {
  kind: 'respond',
  phase: 'request',
  needsRequestBody: false,
  schema: {
    title: 'respond action',
    description:
      'Answer with a Nova fault instead of forwarding, e.g. {status: 404} for an API removed at this microversion. Headers actions of the rule still apply; nothing else can.',
    type: 'object',
    additionalProperties: false,
    required: ['status'],
    properties: {
      status: statusSchema('answer'),
      message: messageSchema('answer'),
    },
  },
  check(config, ctx) {
    checkFaultMessage(config.status, config.message, ['status'], ctx, 'respond');
    for (const kind of ['remove', 'precheck', 'withhold'] as const) {
      if (ctx.actionKinds.includes(kind)) {
        ctx.error([], `a ${kind} action cannot apply in a rule that responds: the request is never forwarded (only headers can join respond)`);
      }
    }
  },
  compile(config): RespondAction {
    return { kind: 'respond', ...compileFault(config.status, config.message) };
  },
  expand: (action) => action,
  describe: (a) => `respond ${a.status} ${JSON.stringify(a.message)} (not forwarded)`,
};

/** Answers as Nova's per-method version gate does, without contacting the upstream. */
export const respond: ActionHandler<RespondAction> = {
  kind: 'respond',
  requestStep(action, run) {
    run.answerFault(action.status, action.body);
    return 'answered';
  },
};
