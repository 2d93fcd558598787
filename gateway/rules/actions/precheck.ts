import type { LimitSource, PrecheckAction } from '../types';
import {
  checkFaultMessage,
  checkPointer,
  compileFault,
  messageSchema,
  mustParsePointer,
  pointerSchema,
  statusSchema,
  type ActionDefinition,
} from './action';
import { expandPointer } from '../pointer';

/**
 * Count the members at a pointer in the request body and refuse when the count exceeds a
 * limit (Nova's rule: limit >= 0 and count > limit; -1 = unlimited; missing or empty = no check).
 */
export const precheckAction: ActionDefinition<'precheck'> = {
  kind: 'precheck',
  phase: 'request',
  needsRequestBody: true,
  schema: {
    title: 'precheck action',
    description:
      'Before forwarding, count the members (object keys or array items) at "count" in the request body; when the count exceeds the limit (limit >= 0 and count > limit), answer with a fault. Missing or empty members are not checked.',
    type: 'object',
    additionalProperties: false,
    required: ['count', 'limit', 'status'],
    properties: {
      count: pointerSchema('Member of the request body whose keys or items are counted, e.g. /{action}/metadata.'),
      limit: {
        title: 'precheck limit',
        description: 'Where the limit comes from: exactly one of "value" or "fromUpstreamLimits".',
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        properties: {
          value: { type: 'integer', minimum: -1, description: 'A fixed limit; -1 means unlimited.' },
          fromUpstreamLimits: pointerSchema(
            "A number in the upstream's GET /limits answer for the same caller, e.g. /limits/absolute/maxImageMeta.",
          ),
        },
      },
      status: statusSchema('refusal'),
      message: messageSchema('refusal'),
    },
  },
  check(config, ctx) {
    checkPointer(config.count, ['count'], ctx, { allowAction: true, what: 'the precheck count' });
    if (typeof config.limit.fromUpstreamLimits === 'string') {
      checkPointer(config.limit.fromUpstreamLimits, ['limit', 'fromUpstreamLimits'], ctx, {
        allowAction: false,
        what: 'fromUpstreamLimits',
      });
    }
    checkFaultMessage(config.status, config.message, ['status'], ctx, 'precheck');
  },
  compile(config): PrecheckAction {
    const limit: LimitSource =
      config.limit.value !== undefined
        ? { kind: 'fixed', value: config.limit.value }
        : { kind: 'upstream-limits', pointer: mustParsePointer(config.limit.fromUpstreamLimits) };
    return { kind: 'precheck', count: mustParsePointer(config.count), limit, ...compileFault(config.status, config.message) };
  },
  expand: (a, name) => ({ ...a, count: expandPointer(a.count, name) }),
  describe: (a) =>
    `precheck: if ${a.count.source} in the request body has more members than ${
      a.limit.kind === 'fixed' ? `${a.limit.value}` : `the upstream's GET /limits ${a.limit.pointer.source}`
    }, respond ${a.status} ${JSON.stringify(a.message)}`,
};
