import type { DataPath } from '../rules/source';
import type { CompiledPointer, HttpMethod, RuleAction } from '../rules/types';
import { parsePointer, usesActionPlaceholder } from '../rules/pointer';
import { defaultFaultMessage, faultBody } from '../nova/fault';

/**
 * One action kind, Kong-style: its config schema (assembled into rules/rule-file.schema.json),
 * its semantic checks, its compilation and its description live together in one file.
 * Its request step (`ActionHandler`, in the same file) is what the proxy runs; `describe` is the
 * dry account used by check/explain.
 */
export interface ActionDefinition<K extends RuleAction['kind'] = RuleAction['kind']> {
  readonly kind: K;
  /** JSON Schema of the action's config (the value under its key). */
  readonly schema: JsonSchema;
  /** request: runs before forwarding (or instead of it); response: on the upstream's answer. */
  readonly phase: 'request' | 'response';
  /** Whether it reads or changes the request body (so needs a method that carries one). */
  readonly needsRequestBody: boolean;
  /** Semantic checks beyond the schema; the config already passed the schema. */
  check(config: any, ctx: ActionCheckContext): void;
  compile(config: any): Extract<RuleAction, { kind: K }>;
  /** The action with "{action}" replaced by one server action name. */
  expand(action: Extract<RuleAction, { kind: K }>, serverAction: string): Extract<RuleAction, { kind: K }>;
  /** One line: what the gateway does (check listing, explain, changelog). */
  describe(action: Extract<RuleAction, { kind: K }>): string;
}

export type JsonSchema = { readonly [key: string]: unknown };

/** What an action's checks may know about the rule around it. */
export interface ActionCheckContext {
  readonly methods: readonly HttpMethod[];
  readonly serverActions: readonly string[];
  /** Kinds of all actions of the rule, in order. */
  readonly actionKinds: readonly string[];
  /** Report a problem at a path relative to the action's config. */
  error(path: DataPath, message: string, options?: { key?: boolean }): void;
}

export const METHODS_WITH_BODY: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH'];

export function statusSchema(what: string): JsonSchema {
  return {
    type: 'integer',
    minimum: 400,
    maximum: 599,
    description: `HTTP status of the ${what}, 400–599; the body is a Nova fault ({"<faultName>": {"code": N, "message": "..."}}).`,
  };
}

export function messageSchema(what: string): JsonSchema {
  return {
    type: 'string',
    minLength: 1,
    description: `Fault message of the ${what}. Optional when the status has a WebOb default text (e.g. 404 "The resource could not be found."), which Nova uses for its own bare faults.`,
  };
}

export function pointerSchema(description: string): JsonSchema {
  return { type: 'string', description: `JSON Pointer (RFC 6901). ${description}` };
}

/** Checks a pointer's syntax and placeholder use; reports at `path`. */
export function checkPointer(
  source: string,
  path: DataPath,
  ctx: ActionCheckContext,
  options: { allowAction: boolean; what: string },
): CompiledPointer | undefined {
  const parsed = parsePointer(source);
  if (!parsed.ok) {
    ctx.error(path, parsed.message);
    return undefined;
  }
  if (parsed.pointer.tokens.length === 0) {
    ctx.error(path, `JSON Pointer "" designates the whole document; ${options.what} must name a member`);
    return undefined;
  }
  if (usesActionPlaceholder(parsed.pointer)) {
    if (!options.allowAction) {
      ctx.error(path, `"{action}" cannot be used in ${options.what}: it is not read from the request body`);
    } else if (ctx.serverActions.length === 0) {
      ctx.error(path, `"{action}" in ${options.what} needs "serverActions" in match (it is replaced by each action name)`);
    }
  }
  return parsed.pointer;
}

export function mustParsePointer(source: string): CompiledPointer {
  const parsed = parsePointer(source);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.pointer;
}

/** Checks that a fault has a message: given, or the status's default text. */
export function checkFaultMessage(status: number, message: unknown, path: DataPath, ctx: ActionCheckContext, what: string): void {
  if (message === undefined && defaultFaultMessage(status) === undefined) {
    ctx.error(path, `${what} status ${status} has no default fault text: add "message"`);
  }
}

export function compileFault(status: number, message: string | undefined): { status: number; message: string; body: Buffer } {
  const text = message ?? defaultFaultMessage(status);
  if (text === undefined) throw new Error(`status ${status} needs a message`);
  return { status, message: text, body: Buffer.from(faultBody(status, text), 'utf8') };
}
