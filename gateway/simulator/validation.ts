/**
 * Nova's request-body validation (nova/api/validation/validators.py) on top of the subset
 * of jsonschema's Draft4Validator that Nova's schemas use, reproducing jsonschema 4.10.3:
 * keywords are applied in schema order and the *first* error raised wins, with its exact
 * message text. Nova then formats it as
 * "Invalid input for field/attribute <last path element>. Value: <str(instance)>. <message>"
 * (or just the message at the top level, or the cause's message for format errors).
 */
import { PyDict, PyFloat, pyRepr, pyStr, pyStrRepr, type PyValue } from './pyjson';

export interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly PyValue[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly patternProperties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean | Schema;
  readonly required?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly format?: string;
}

/** A format checker: returns undefined when valid, else Nova's cause message. */
export type FormatCheck = (instance: PyValue) => string | undefined;

interface SchemaError {
  readonly path: ReadonlyArray<string>;
  readonly instance: PyValue;
  readonly message: string;
  /** Set when a format checker's cause replaces the whole detail (InvalidName). */
  readonly causeMessage?: string;
}

export interface ValidateOptions {
  /** Legacy /v2 "relaxed" mode: extra properties are dropped instead of refused. */
  readonly relaxAdditionalProperties?: boolean;
  readonly formats?: Readonly<Record<string, FormatCheck>>;
}

/** Validates `body` (mutated in relaxed mode, like Nova); returns the 400 detail or undefined. */
export function validateBody(schema: Schema, body: PyValue, options: ValidateOptions = {}): string | undefined {
  const error = firstError(schema, body, [], options);
  if (!error) return undefined;
  if (error.causeMessage !== undefined) return error.causeMessage;
  if (error.path.length > 0) {
    const last = error.path[error.path.length - 1];
    return `Invalid input for field/attribute ${last}. Value: ${pyStr(error.instance)}. ${error.message}`;
  }
  return error.message;
}

type Keyword = (schema: Schema, instance: PyValue, path: string[], options: ValidateOptions) => SchemaError | undefined;

function firstError(schema: Schema, instance: PyValue, path: string[], options: ValidateOptions): SchemaError | undefined {
  for (const key of Object.keys(schema)) {
    const keyword = KEYWORDS[key];
    if (!keyword) continue;
    const error = keyword(schema, instance, path, options);
    if (error) return error;
  }
  return undefined;
}

function err(path: string[], instance: PyValue, message: string): SchemaError {
  return { path: [...path], instance, message };
}

// ---------------------------------------------------------------------------------------
// Draft-4 type checks (bool is never an integer/number; 1.0 is a number, not an integer).

function isType(instance: PyValue, type: string): boolean {
  switch (type) {
    case 'object': return instance instanceof PyDict;
    case 'array': return Array.isArray(instance);
    case 'string': return typeof instance === 'string';
    case 'boolean': return typeof instance === 'boolean';
    case 'null': return instance === null;
    case 'integer': return typeof instance === 'number' || typeof instance === 'bigint';
    case 'number': return typeof instance === 'number' || typeof instance === 'bigint' || instance instanceof PyFloat;
    default: return false;
  }
}

function numericValue(instance: PyValue): number | undefined {
  if (typeof instance === 'number') return instance;
  if (typeof instance === 'bigint') return Number(instance);
  if (instance instanceof PyFloat) return instance.value;
  return undefined;
}

/** len() of a Python str: code points, not UTF-16 units. */
function pyLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python re.search with a pattern whose final `$` also matches before a trailing "\n". */
const regexCache = new Map<string, RegExp>();
export function pySearch(pattern: string, text: string): boolean {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern.endsWith('$') ? pattern.slice(0, -1) + '(?=\\n?$)' : pattern);
    regexCache.set(pattern, re);
  }
  return re.test(text);
}

function pyEquals(a: PyValue, b: PyValue): boolean {
  return typeof a === typeof b && a === b;
}

// ---------------------------------------------------------------------------------------
// Keywords (messages as in jsonschema 4.10.3 _validators.py).

const KEYWORDS: Readonly<Record<string, Keyword>> = {
  type(schema, instance, path) {
    const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
    if (types.some((t) => isType(instance, t))) return undefined;
    return err(path, instance, `${pyRepr(instance)} is not of type ${types.map((t) => pyStrRepr(t)).join(', ')}`);
  },

  enum(schema, instance, path) {
    const values = schema.enum ?? [];
    if (values.some((v) => pyEquals(v, instance))) return undefined;
    return err(path, instance, `${pyRepr(instance)} is not one of ${pyRepr([...values])}`);
  },

  properties(schema, instance, path, options) {
    if (!(instance instanceof PyDict)) return undefined;
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      if (!instance.has(name)) continue;
      const e = firstError(sub, instance.get(name) as PyValue, [...path, name], options);
      if (e) return e;
    }
    return undefined;
  },

  patternProperties(schema, instance, path, options) {
    if (!(instance instanceof PyDict)) return undefined;
    for (const [pattern, sub] of Object.entries(schema.patternProperties ?? {})) {
      for (const [key, value] of instance.entries()) {
        if (!pySearch(pattern, key)) continue;
        const e = firstError(sub, value, [...path, key], options);
        if (e) return e;
      }
    }
    return undefined;
  },

  additionalProperties(schema, instance, path, options) {
    if (!(instance instanceof PyDict)) return undefined;
    const extras = findAdditionalProperties(schema, instance);
    const ap = schema.additionalProperties;
    if (typeof ap === 'object') {
      for (const extra of extras) {
        const e = firstError(ap, instance.get(extra) as PyValue, [...path, extra], options);
        if (e) return e;
      }
      return undefined;
    }
    if (ap !== false || extras.length === 0) return undefined;
    const patterns = Object.keys(schema.patternProperties ?? {});
    if (options.relaxAdditionalProperties) {
      if (patterns.length === 0) {
        for (const extra of extras) instance.map.delete(extra);
        return undefined;
      }
      return err(path, instance, notAllowed(extras));
    }
    if (patterns.length > 0) {
      const verb = extras.length === 1 ? 'does' : 'do';
      const joined = [...extras].sort(codePointCompare).map(pyStrRepr).join(', ');
      const regexes = [...patterns].sort(codePointCompare).map(pyStrRepr).join(', ');
      return err(path, instance, `${joined} ${verb} not match any of the regexes: ${regexes}`);
    }
    return err(path, instance, notAllowed(extras));
  },

  required(schema, instance, path) {
    if (!(instance instanceof PyDict)) return undefined;
    for (const name of schema.required ?? []) {
      if (!instance.has(name)) return err(path, instance, `${pyStrRepr(name)} is a required property`);
    }
    return undefined;
  },

  minLength(schema, instance, path) {
    if (typeof instance !== 'string' || pyLen(instance) >= (schema.minLength ?? 0)) return undefined;
    return err(path, instance, `${pyRepr(instance)} is too short`);
  },

  maxLength(schema, instance, path) {
    if (typeof instance !== 'string' || pyLen(instance) <= (schema.maxLength ?? Infinity)) return undefined;
    return err(path, instance, `${pyRepr(instance)} is too long`);
  },

  pattern(schema, instance, path) {
    if (typeof instance !== 'string' || schema.pattern === undefined || pySearch(schema.pattern, instance)) {
      return undefined;
    }
    return err(path, instance, `${pyRepr(instance)} does not match ${pyStrRepr(schema.pattern)}`);
  },

  /** Nova's own minimum: strings are converted with int()/float() first (validators.py). */
  minimum(schema, instance, path) {
    const value = typeof instance === 'string' ? numberFromStr(instance) : numericValue(instance);
    if (value === undefined || schema.minimum === undefined || !(value < schema.minimum)) return undefined;
    const shown = typeof instance === 'string' ? String(value) : pyRepr(instance);
    return err(path, instance, `${shown} is less than the minimum of ${schema.minimum}`);
  },

  minProperties(schema, instance, path) {
    if (!(instance instanceof PyDict) || instance.size >= (schema.minProperties ?? 0)) return undefined;
    return err(path, instance, `${pyRepr(instance)} does not have enough properties`);
  },

  maxProperties(schema, instance, path) {
    if (!(instance instanceof PyDict) || instance.size <= (schema.maxProperties ?? Infinity)) return undefined;
    return err(path, instance, `${pyRepr(instance)} has too many properties`);
  },

  format(schema, instance, path, options) {
    const check = schema.format === undefined ? undefined : options.formats?.[schema.format];
    const cause = check?.(instance);
    if (cause === undefined) return undefined;
    return {
      path: [...path],
      instance,
      message: `${pyRepr(instance)} is not a ${pyStrRepr(schema.format as string)}`,
      causeMessage: cause,
    };
  },
};

function findAdditionalProperties(schema: Schema, instance: PyDict): string[] {
  const properties = schema.properties ?? {};
  const patterns = Object.keys(schema.patternProperties ?? {});
  return instance
    .keys()
    .filter((key) => !Object.prototype.hasOwnProperty.call(properties, key))
    .filter((key) => !patterns.some((p) => pySearch(p, key)));
}

function notAllowed(extras: readonly string[]): string {
  const verb = extras.length === 1 ? 'was' : 'were';
  return `Additional properties are not allowed (${extras.map(pyStrRepr).join(', ')} ${verb} unexpected)`;
}

function codePointCompare(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** Python int(s) then float(s); undefined where both raise ValueError. */
function numberFromStr(s: string): number | undefined {
  const t = s.trim();
  if (/^[-+]?\d+(?:_\d+)*$/.test(t)) return Number(t.replace(/_/g, ''));
  if (/^[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)$/i.test(t)) {
    const lower = t.toLowerCase().replace(/^\+/, '');
    if (lower.endsWith('nan')) return NaN;
    if (lower.includes('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
    return Number(t);
  }
  return undefined;
}
