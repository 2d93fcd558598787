import type { CompiledPointer } from './types';

/** The placeholder replaced by each server action name at compile time. */
export const ACTION_PLACEHOLDER = '{action}';

export type PointerParse =
  | { readonly ok: true; readonly pointer: CompiledPointer }
  | { readonly ok: false; readonly message: string };

/**
 * RFC 6901 JSON Pointer: "" (the whole document) or "/"-separated reference tokens with
 * "~1" for "/" and "~0" for "~". A token written exactly "{action}" is kept as the
 * placeholder; any other "{name}" token is refused so a misspelt placeholder is not
 * silently taken as a member name.
 */
export function parsePointer(source: string): PointerParse {
  if (source === '') return { ok: true, pointer: { source, tokens: [] } };
  if (source[0] !== '/') {
    return { ok: false, message: `bad JSON Pointer "${source}": must start with "/" (e.g. "/limits/absolute/maxImageMeta")` };
  }
  const tokens: string[] = [];
  for (const raw of source.slice(1).split('/')) {
    if (/~(?![01])/.test(raw)) {
      return { ok: false, message: `bad JSON Pointer "${source}": "~" must be followed by 0 or 1 ("~0" for "~", "~1" for "/")` };
    }
    if (raw !== ACTION_PLACEHOLDER && /^\{[^}]*\}$/.test(raw)) {
      return { ok: false, message: `bad JSON Pointer "${source}": unknown placeholder "${raw}" (the only placeholder is "{action}")` };
    }
    if (raw !== ACTION_PLACEHOLDER && raw.includes(ACTION_PLACEHOLDER)) {
      return { ok: false, message: `bad JSON Pointer "${source}": "{action}" must be a whole segment, as in "/{action}/metadata"` };
    }
    tokens.push(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return { ok: true, pointer: { source, tokens } };
}

export function usesActionPlaceholder(pointer: CompiledPointer): boolean {
  return pointer.tokens.includes(ACTION_PLACEHOLDER);
}

/** RFC 6901 escaping of one reference token. */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer with every "{action}" token replaced by a server action name. */
export function expandPointer(pointer: CompiledPointer, action: string): CompiledPointer {
  if (!usesActionPlaceholder(pointer)) return pointer;
  const tokens = pointer.tokens.map((t) => (t === ACTION_PLACEHOLDER ? action : t));
  return { source: tokens.map((t) => '/' + escapeToken(t)).join(''), tokens };
}

/** Resolves a pointer in a parsed JSON value; undefined when a member is missing. */
export function resolvePointer(value: unknown, pointer: CompiledPointer): unknown {
  let current: unknown = value;
  for (const token of pointer.tokens) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object') {
      if (!Object.prototype.hasOwnProperty.call(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}
