import type { CompiledPointer } from '../rules/types';

/**
 * Byte-exact edits of JSON text: members are cut out of the text as written, so every other
 * byte stays as the upstream (or client) wrote it — Nova's ", "/": " separators, key order,
 * escapes. The text is validated by the native parser first; the scanner below then only
 * walks the path a pointer names, skipping every other value without building anything.
 */

/** Strict JSON (the native parser: no comments, no trailing commas). */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Removes the members at the pointers, one after the other; absent pointers are skipped. */
export function removeMembers(text: string, pointers: readonly CompiledPointer[]): string {
  let out = text;
  for (const p of pointers) {
    const cut = memberCut(out, p.tokens);
    if (cut) out = out.slice(0, cut[0]) + out.slice(cut[1]);
  }
  return out;
}

/** Whether the pointer names a member of the (valid JSON) text. */
export function hasMember(text: string, pointer: CompiledPointer): boolean {
  return memberCut(text, pointer.tokens) !== undefined;
}

/**
 * The span to cut to remove the member a pointer names, with one separating comma: the
 * member and the comma after it, or the comma before it when it is last, or everything
 * between the brackets when it is alone. Undefined when absent (or the pointer is "").
 */
function memberCut(text: string, tokens: readonly string[]): [number, number] | undefined {
  if (tokens.length === 0) return undefined;
  let pos = skipSpace(text, 0);
  for (let depth = 0; depth < tokens.length; depth++) {
    const open = text[pos];
    if (open !== '{' && open !== '[') return undefined;
    const found = findChild(text, pos, tokens[depth]);
    if (!found) return undefined;
    if (depth === tokens.length - 1) return cutFor(found, pos);
    pos = found.valueStart;
  }
  return undefined;
}

interface Child {
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
  /** End of the previous sibling's value, or -1 when first. */
  readonly previousEnd: number;
  /** Start of the next sibling, or -1 when last. */
  readonly nextStart: number;
  /** Position of the container's closing bracket when last. */
  readonly close: number;
}

function cutFor(c: Child, open: number): [number, number] {
  if (c.nextStart >= 0) return [c.start, c.nextStart];
  if (c.previousEnd >= 0) return [c.previousEnd, c.end];
  return [open + 1, c.close];
}

function findChild(text: string, open: number, token: string): Child | undefined {
  const isObject = text[open] === '{';
  const wanted = isObject ? token : /^(0|[1-9]\d*)$/.test(token) ? Number(token) : -1;
  if (wanted === -1) return undefined;
  let pos = skipSpace(text, open + 1);
  if (text[pos] === (isObject ? '}' : ']')) return undefined;
  let previousEnd = -1;
  for (let index = 0; ; index++) {
    const start = pos;
    let matches: boolean;
    if (isObject) {
      const keyEnd = skipString(text, pos);
      matches = keyText(text, pos, keyEnd) === wanted;
      pos = skipSpace(text, keyEnd);
      pos = skipSpace(text, pos + 1);
    } else {
      matches = index === wanted;
    }
    const valueStart = pos;
    const end = skipValue(text, pos);
    pos = skipSpace(text, end);
    const last = text[pos] !== ',';
    const nextStart = last ? -1 : skipSpace(text, pos + 1);
    if (matches) return { start, valueStart, end, previousEnd, nextStart, close: last ? pos : -1 };
    if (last) return undefined;
    previousEnd = end;
    pos = nextStart;
  }
}

function keyText(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

function skipSpace(text: string, pos: number): number {
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    pos++;
  }
  return pos;
}

/** Position just after the string starting at pos (an opening quote). */
function skipString(text: string, pos: number): number {
  for (let i = pos + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return text.length;
}

/** Position just after the value starting at pos. */
function skipValue(text: string, pos: number): number {
  const c = text[pos];
  if (c === '"') return skipString(text, pos);
  if (c !== '{' && c !== '[') {
    let i = pos;
    while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
    return i;
  }
  let depth = 0;
  for (let i = pos; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) i = skipString(text, i) - 1;
    else if (ch === 0x7b || ch === 0x5b) depth++;
    else if (ch === 0x7d || ch === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}
