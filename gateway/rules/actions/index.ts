import type { RuleAction } from '../types';
import type { ActionDefinition } from './action';
import { respondAction } from './respond';
import { removeAction } from './remove';
import { precheckAction } from './precheck';
import { withholdAction } from './withhold';
import { headersAction } from './headers';

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
export type { ActionDefinition, ActionCheckContext } from './action';
