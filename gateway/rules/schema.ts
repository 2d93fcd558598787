import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ACTIONS, ACTION_KINDS } from '../actions';
import type { JsonSchema } from '../actions/definition';
import type { DataPath } from './source';

export const RULE_ID_PATTERN = '^[a-z0-9][a-z0-9-]*$';
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const RULE_APIS = ['v2.1', 'v2'] as const;

/**
 * The rule-file schema, assembled from the action definitions (each action's schema lives
 * beside its code). rules/rule-file.schema.json is this object, written out for editors;
 * a test keeps the two identical.
 */
export function ruleFileSchema(): JsonSchema {
  const actionProperties: Record<string, JsonSchema> = {};
  for (const kind of ACTION_KINDS) actionProperties[kind] = ACTIONS[kind].schema;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'rule file',
    description:
      'A microversion-gateway rule file: the one Nova compute microversion it introduces and the rules that emulate it in front of an older upstream.',
    type: 'object',
    additionalProperties: false,
    required: ['microversion', 'title', 'rules'],
    properties: {
      $schema: { type: 'string', description: 'Optional path or URL of this schema, for editors (JSON files).' },
      microversion: {
        type: 'string',
        description: 'The one microversion this file introduces, "X.Y" (quote it in YAML: 2.10 unquoted is the number 2.1).',
        examples: ['2.39'],
      },
      title: { type: 'string', minLength: 1, description: 'One-line title of the change, used as the changelog heading.' },
      description: { type: 'string', description: 'Markdown paragraph(s) describing the change, copied into the changelog.' },
      rules: {
        type: 'array',
        description: 'The rules, applied in this order (files in ascending microversion order).',
        items: ruleSchema(actionProperties),
      },
      examples: {
        type: 'array',
        description: 'Requests with their expected outcome, run by `check` against the whole rule set.',
        items: exampleSchema(),
      },
    },
  };
}

function ruleSchema(actionProperties: Record<string, JsonSchema>): JsonSchema {
  return {
    title: 'rule',
    description: 'What to match and what to do.',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'match', 'actions'],
    properties: {
      id: {
        type: 'string',
        pattern: RULE_ID_PATTERN,
        patternErrorMessage: 'rule ids use lower-case letters, digits and "-", starting with a letter or digit',
        description: 'Unique across all files; lower-case letters, digits and "-". Appears in logs, metrics and explain.',
      },
      description: { type: 'string', description: 'Why the rule exists and what it emulates (Markdown); shown by check and changelog.' },
      enabled: { type: 'boolean', default: true, description: 'Disabled rules are validated but never match. Default true.' },
      shadow: {
        type: 'boolean',
        default: false,
        description: 'Dry run: the rule matches and is counted as "would have acted", but is not enforced. Default false.',
      },
      match: {
        title: 'match',
        description: 'Which requests the rule applies to. All conditions must hold.',
        type: 'object',
        additionalProperties: false,
        required: ['methods', 'path', 'versions'],
        properties: {
          methods: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            description: 'HTTP methods (upper case).',
            items: { enum: [...HTTP_METHODS], description: 'An HTTP method.' },
          },
          path: {
            type: 'string',
            description:
              'Resource path template inside the API: no /v2.1 or /v2, no project id, literal first segment, parameters as whole segments {name}, e.g. /images/{image_id}/metadata. A trailing .json/.xml suffix and one trailing slash in requests are handled automatically.',
            examples: ['/images/{image_id}/metadata', '/limits', '/servers/{server_id}/action'],
          },
          versions: {
            type: 'string',
            description:
              'Microversion range: comparators >=, >, <, <=, = on X.Y, space-joined for "and", "||" for "or", or "A - B". E.g. ">=2.39", "<2.39", ">=2.36 <2.39".',
            examples: ['>=2.39', '<2.39'],
          },
          apis: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            default: ['v2.1'],
            description: 'APIs the rule applies to. Default [v2.1]. The legacy /v2 API is matched as version 2.1.',
            items: { enum: [...RULE_APIS], description: 'v2.1, or v2 for the legacy /v2 endpoint.' },
          },
          serverActions: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            description:
              'Only for POST on a path ending in /action: the server action names (the single top-level key of the body) the rule applies to. "{action}" in pointers is replaced by each.',
            items: {
              type: 'string',
              pattern: '^[A-Za-z][A-Za-z0-9_:.-]*$',
              patternErrorMessage: 'a server action name is the top-level body key, e.g. createImage or os-resetState',
              description: 'A server action name, e.g. createImage.',
            },
          },
        },
      },
      actions: {
        type: 'array',
        minItems: 1,
        description: 'What the gateway does, each a single-key map. Request actions (respond, precheck, withhold) run before forwarding; response actions (remove, headers) on the answer.',
        items: {
          title: 'action',
          description: `Exactly one of: ${ACTION_KINDS.join(', ')}.`,
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: actionProperties,
        },
      },
    },
  };
}

function exampleSchema(): JsonSchema {
  return {
    title: 'example',
    description: 'A request and the outcome the rule set must give it.',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'request', 'expect'],
    properties: {
      name: { type: 'string', minLength: 1, description: 'What the example shows.' },
      request: {
        title: 'example request',
        description: 'The request as a client sends it.',
        type: 'object',
        additionalProperties: false,
        required: ['method', 'path'],
        properties: {
          method: { enum: [...HTTP_METHODS], description: 'HTTP method.' },
          path: { type: 'string', description: 'The full request target, e.g. /v2.1/images/{id}/metadata (canonicalised as the gateway does).' },
          version: {
            type: 'string',
            description: 'Sent as "OpenStack-API-Version: compute <version>"; may be "latest" or malformed. Omit for no header (2.1).',
          },
          headers: {
            type: 'object',
            description: 'Other request headers, e.g. X-OpenStack-Nova-API-Version.',
            additionalProperties: { type: 'string', description: 'Header value.' },
          },
          body: { description: 'The JSON request body (any JSON value).' },
        },
      },
      expect: {
        title: 'example expectation',
        description:
          'respond: the gateway answers with this status; forward: true: it forwards (alone: no rule acts); rules: exactly these rules act; error: refused by canonicalisation or version negotiation with this status.',
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          respond: { type: 'integer', minimum: 100, maximum: 599, description: 'Status the gateway answers with itself.' },
          forward: { const: true, description: 'The request is forwarded upstream.' },
          rules: {
            type: 'array',
            uniqueItems: true,
            description: 'Ids of exactly the (enforced) rules that act, in any order.',
            items: { type: 'string', description: 'A rule id.' },
          },
          error: { type: 'integer', minimum: 400, maximum: 599, description: 'Status of a refusal by canonicalisation (400) or negotiation (400/406).' },
        },
      },
    },
  };
}

let validator: ValidateFunction | undefined;

function compiledValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    ajv.addKeyword('patternErrorMessage');
    validator = ajv.compile(ruleFileSchema());
  }
  return validator;
}

/** A schema problem, located by data path, with a one-line message. */
export interface SchemaProblem {
  readonly path: DataPath;
  readonly key: boolean;
  readonly message: string;
}

export function validateRuleFileSchema(data: unknown): SchemaProblem[] {
  const validate = compiledValidator();
  if (validate(data)) return [];
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // A misspelt key is reported once, as unknown with its likely spelling, not also as missing.
  const typos = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const hint = closestKey(String((e.params as { additionalProperty: string }).additionalProperty), allowed);
    if (hint) typos.add(`${e.instancePath}\u0000${hint}`);
  }
  for (const e of errors) {
    if (e.keyword === 'required' && typos.has(`${e.instancePath}\u0000${(e.params as { missingProperty: string }).missingProperty}`)) {
      continue;
    }
    const p = translate(e, data);
    if (!p) continue;
    const sig = JSON.stringify([p.path, p.key, p.message]);
    if (seen.has(sig)) continue;
    seen.add(sig);
    problems.push(p);
  }
  return problems;
}

function decodePath(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((t) => (/^(0|[1-9]\d*)$/.test(t) ? Number(t) : t));
}

/** Names the object at a data path, for messages ("remove action", "match", "rule"). */
export function containerName(path: DataPath): string {
  const p = path.map((s) => (typeof s === 'number' ? '#' : s)).join('/');
  const names: Record<string, string> = {
    '': 'rule file',
    'rules/#': 'rule',
    'rules/#/match': 'match',
    'rules/#/actions/#': 'action',
    'rules/#/actions/#/precheck/limit': 'precheck limit',
    'examples/#': 'example',
    'examples/#/request': 'example request',
    'examples/#/expect': 'example expectation',
  };
  if (p in names) return names[p];
  const action = /^rules\/#\/actions\/#\/([^/]+)$/.exec(p);
  if (action) return `${action[1]} action`;
  const last = path[path.length - 1];
  return typeof last === 'number' ? `item ${last + 1} of "${String(path[path.length - 2])}"` : `"${String(last)}"`;
}

/** Names the value at a data path: `"versions" in match`, `item 2 of "methods" in match`. */
function valueName(path: DataPath): string {
  if (path.length === 0) return 'the rule file';
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    return `item ${last + 1} of "${String(path[path.length - 2])}" in ${containerName(path.slice(0, -2))}`;
  }
  return `"${last}" in ${containerName(path.slice(0, -1))}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function translate(e: ErrorObject, data: unknown): SchemaProblem | undefined {
  const path = decodePath(e.instancePath);
  const params = e.params as Record<string, any>;
  const parent = e.parentSchema as Record<string, any> | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      const hint = suggestion(key, allowed);
      const where = containerName(path);
      const message =
        where === 'action'
          ? `unknown action "${key}" (${hint ?? `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}`})`
          : `unknown key "${key}" in ${where} (${hint ?? (allowed.length ? `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}` : 'no keys allowed')})`;
      return { path: [...path, key], key: true, message };
    }
    case 'required':
      if (path.length === 0 && (data === null || data === undefined)) return undefined;
      return { path, key: false, message: `missing required key "${params.missingProperty}" in ${containerName(path)}` };
    case 'type': {
      if (path.length === 0 && (data === null || data === undefined)) {
        return { path, key: false, message: 'the file is empty: expected a mapping with microversion, title and rules' };
      }
      const value = e.data;
      const expected = String(params.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ');
      const quote = params.type === 'string' && typeof value === 'number' ? ` (quote it: "${String(value)}" is read as a number)` : '';
      return { path, key: false, message: `wrong type: ${valueName(path)} must be ${expected}, got ${describeValue(value)}${quote}` };
    }
    case 'enum':
      return {
        path,
        key: false,
        message: `${valueName(path)} is ${describeValue(e.data)}, expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path, key: false, message: `${valueName(path)} must be ${JSON.stringify(params.allowedValue)}, got ${describeValue(e.data)}` };
    case 'pattern':
      return {
        path,
        key: false,
        message: `${valueName(path)} is ${JSON.stringify(e.data)}, not allowed: ${parent?.patternErrorMessage ?? `must match ${params.pattern}`}`,
      };
    case 'minimum':
    case 'maximum': {
      const range =
        parent && parent.minimum !== undefined && parent.maximum !== undefined
          ? `between ${parent.minimum} and ${parent.maximum}`
          : e.keyword === 'minimum'
            ? `at least ${params.limit}`
            : `at most ${params.limit}`;
      return { path, key: false, message: `${valueName(path)} is ${String(e.data)}, must be ${range}` };
    }
    case 'minItems':
      return { path, key: false, message: `${valueName(path)} must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}` };
    case 'uniqueItems':
      return {
        path: [...path, Math.max(params.i, params.j)],
        key: false,
        message: `duplicate item ${JSON.stringify((e.data as unknown[])[Math.max(params.i, params.j)])} in ${valueName(path)}`,
      };
    case 'minLength':
      return { path, key: false, message: `${valueName(path)} must not be empty` };
    case 'minProperties':
    case 'maxProperties': {
      const where = containerName(path);
      if (where === 'action') {
        const keys = Object.keys((e.data as object) ?? {});
        return {
          path,
          key: false,
          message: `an action must have exactly one key, one of ${ACTION_KINDS.map((k) => `"${k}"`).join(', ')}${keys.length ? ` (got ${keys.map((k) => `"${k}"`).join(', ')}: write each as its own list item)` : ''}`,
        };
      }
      if (where === 'precheck limit') {
        return { path, key: false, message: 'precheck limit must have exactly one of "value" or "fromUpstreamLimits"' };
      }
      return { path, key: false, message: `${valueName(path)} must ${e.keyword === 'minProperties' ? `have at least ${params.limit} key` : `have at most ${params.limit} keys`}` };
    }
    default:
      return { path, key: false, message: `${valueName(path)} ${e.message ?? 'is invalid'}` };
  }
}

/** A close allowed key, as `expected "pointers"`, when the unknown one looks like a typo. */
function suggestion(key: string, allowed: readonly string[]): string | undefined {
  const best = closestKey(key, allowed);
  return best === undefined ? undefined : `expected "${best}"`;
}

function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = a;
    }
  }
  if (best === undefined) return undefined;
  const threshold = best.length <= 4 ? 1 : Math.max(2, Math.floor(best.length / 3));
  return bestDistance <= threshold ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
