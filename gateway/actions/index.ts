import type { RuleAction } from '../rules/types';
import type { ActionHandler } from './run';
import { respond } from './respond';
import { remove } from './remove';
import { precheck } from './precheck';
import { withhold } from './withhold';
import { headers } from './headers';

/** Every action kind's handler; adding an action adds a line here and a module beside it. */
export const ACTION_HANDLERS: { readonly [K in RuleAction['kind']]: ActionHandler<Extract<RuleAction, { kind: K }>> } = {
  respond,
  remove,
  precheck,
  withhold,
  headers,
};

export function handlerFor<A extends RuleAction>(action: A): ActionHandler<A> {
  return ACTION_HANDLERS[action.kind] as unknown as ActionHandler<A>;
}
