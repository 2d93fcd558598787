import type { HeadersAction } from '../rules/types';
import type { ActionDefinition } from './definition';
import type { ActionHandler } from './run';

/** RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 field-value: visible Latin-1 characters, inner spaces/tabs, no surrounding whitespace. */
const FIELD_VALUE = /^[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/;
/** Framing, hop-by-hop and version headers: the gateway owns them. */
const MANAGED = new Set([
  'connection', 'content-length', 'content-type', 'host', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'vary', 'openstack-api-version',
  'x-openstack-nova-api-version',
]);

/** Add response headers, e.g. Deprecation / Sunset / Link, to whatever answer the client gets. */
export const headersAction: ActionDefinition<'headers'> = {
  kind: 'headers',
  phase: 'response',
  needsRequestBody: false,
  schema: {
    title: 'headers action',
    description:
      'Response headers to add (name: value), e.g. Deprecation, Sunset, Link; applied to the answer the client gets, including a respond answer. Framing, hop-by-hop and version headers are managed by the gateway and refused.',
    type: 'object',
    minProperties: 1,
    additionalProperties: { type: 'string', description: 'Header value: visible characters, no leading/trailing whitespace.' },
  },
  check(config, ctx) {
    const seen = new Map<string, string>();
    for (const [name, value] of Object.entries(config as Record<string, string>)) {
      if (!TOKEN.test(name)) {
        ctx.error([name], `header name "${name}" is not an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`, { key: true });
        continue;
      }
      const lower = name.toLowerCase();
      if (MANAGED.has(lower)) {
        ctx.error([name], `header "${name}" is managed by the gateway and cannot be set by a rule`, { key: true });
      }
      const first = seen.get(lower);
      if (first !== undefined) ctx.error([name], `header "${name}" repeats "${first}" (names are case-insensitive)`, { key: true });
      seen.set(lower, name);
      if (!FIELD_VALUE.test(value)) {
        ctx.error([name], `value of header "${name}" is not a legal HTTP field value (visible characters, inner spaces or tabs, no line breaks, no leading/trailing whitespace)`);
      }
    }
  },
  compile(config): HeadersAction {
    return { kind: 'headers', headers: Object.freeze({ ...(config as Record<string, string>) }) };
  },
  expand: (a) => a,
  describe: (a) => `add headers ${Object.entries(a.headers).map(([k, v]) => `${k}: ${v}`).join('; ')}`,
};

/** Adds response headers (Deprecation, Sunset, Link...) to whatever answers the request. */
export const headers: ActionHandler<HeadersAction> = {
  kind: 'headers',
  requestStep(action, run) {
    Object.assign(run.ctx.response.addHeaders, action.headers);
    return 'continue';
  },
};
