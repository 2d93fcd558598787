import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { CompiledPointer } from '../rules/types';

/** Strict JSON syntax tree with offsets (no comments, no trailing commas); undefined if not JSON. */
export function parseJsonTree(text: string): Node | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors.length === 0 ? root : undefined;
}

export function nodeAtPointer(root: Node, pointer: CompiledPointer): Node | undefined {
  let node: Node | undefined = root;
  for (const token of pointer.tokens) {
    if (!node) return undefined;
    if (node.type === 'object') node = findNodeAtLocation(node, [token]);
    else if (node.type === 'array' && /^(0|[1-9]\d*)$/.test(token)) node = node.children?.[Number(token)];
    else return undefined;
  }
  return node;
}

/**
 * Removes the members at the pointers one after the other by splicing the text, so every
 * other byte stays as the upstream wrote it (Nova's separators, key order, escapes).
 * Returns the text unchanged when no pointer is present.
 */
export function removeMembers(text: string, root: Node, pointers: readonly CompiledPointer[]): string {
  let out = text;
  let tree: Node | undefined = root;
  for (const p of pointers) {
    const cut = tree && memberSpan(tree, p);
    if (!cut) continue;
    out = out.slice(0, cut[0]) + out.slice(cut[1]);
    tree = parseJsonTree(out);
  }
  return out;
}

function memberSpan(root: Node, pointer: CompiledPointer): [number, number] | undefined {
  const target = nodeAtPointer(root, pointer);
  if (!target || target === root) return undefined;
  const member = target.parent?.type === 'property' ? target.parent : target;
  const container = member.parent;
  const siblings = container?.children;
  if (!container || !siblings) return undefined;
  const i = siblings.indexOf(member);
  if (i < 0) return undefined;
  if (i + 1 < siblings.length) return [member.offset, siblings[i + 1].offset];
  if (i > 0) return [siblings[i - 1].offset + siblings[i - 1].length, member.offset + member.length];
  return [container.offset + 1, container.offset + container.length - 1];
}
