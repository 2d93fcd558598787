import type { RespondAction } from '../rules/types';
import type { ActionHandler } from './run';

/** Answers as Nova's per-method version gate does, without contacting the upstream. */
export const respond: ActionHandler<RespondAction> = {
  kind: 'respond',
  needsJsonBody: false,
  requestStep(action, run) {
    run.answerFault(action.status, action.body);
    return 'answered';
  },
};
