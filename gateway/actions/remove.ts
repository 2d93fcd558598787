import type { RemoveAction } from '../rules/types';
import { removeMembers } from '../proxy/jsonText';
import type { ActionHandler } from './run';

/** Deletes members (JSON Pointers) from a 2xx JSON answer, keeping every other byte. */
export const remove: ActionHandler<RemoveAction> = {
  kind: 'remove',
  needsJsonBody: false,
  requestStep(action, run) {
    run.ctx.response.bodyEdits.push((jsonText) => removeMembers(jsonText, action.pointers));
    return 'continue';
  },
};
