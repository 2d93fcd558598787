import type { RuleAction } from '../rules/types';
import type { ActionDefinition } from './definition';
import type { ActionHandler } from './run';
import { headersAction, headers } from './headers';
import { withholdAction, withhold } from './withhold';
import { precheckAction, precheck } from './precheck';
import { removeAction, remove } from './remove';
import { respondAction, respond } from './respond';

/** Every action kind; adding one means adding a file here and nothing in the core. */
export const ACTIONS: { readonly [K in RuleAction['kind']]: ActionDefinition<K> } = {
  respond: respondAction,
  remove: removeAction,
  precheck: precheckAction,
  withhold: withholdAction,
  headers: headersAction,
};

export const ACTION_KINDS = Object.keys(ACTIONS) as RuleAction['kind'][];

export function actionDefinition<K extends RuleAction['kind']>(kind: K): ActionDefinition<K> {
  return ACTIONS[kind] as ActionDefinition<K>;
}

export function describeAction(action: RuleAction): string {
  return (actionDefinition(action.kind) as ActionDefinition).describe(action as never);
}

export function expandAction(action: RuleAction, serverAction: string): RuleAction {
  return (actionDefinition(action.kind) as ActionDefinition).expand(action as never, serverAction);
}

export { IMAGE_CREATING_ACTIONS } from './withhold';
export type { ActionDefinition, ActionCheckContext } from './definition';

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
