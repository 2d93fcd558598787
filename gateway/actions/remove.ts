import type { RemoveAction } from '../rules/types';
import { parseJsonTree, removeMembers } from '../proxy/jsonText';
import type { ActionHandler } from './run';

/** Deletes members (JSON Pointers) from a 2xx JSON answer, keeping every other byte. */
export const remove: ActionHandler<RemoveAction> = {
  kind: 'remove',
  needsJsonBody: false,
  requestStep(action, run) {
    run.ctx.response.bodyEdits.push((text) => {
      const tree = parseJsonTree(text);
      return tree ? removeMembers(text, tree, action.pointers) : text;
    });
    return 'continue';
  },
};
