import type { HeadersAction } from '../rules/types';
import type { ActionHandler } from './run';

/** Adds response headers (Deprecation, Sunset, Link...) to whatever answers the request. */
export const headers: ActionHandler<HeadersAction> = {
  kind: 'headers',
  needsJsonBody: false,
  requestStep(action, run) {
    Object.assign(run.ctx.response.addHeaders, action.headers);
    return 'continue';
  },
};
