import { applyEdits, findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { pythonJsonDumps } from '../nova/pythonJson';

/**
 * Sets the v2.1 entry's "version" to the advertised maximum in Nova's discovery documents,
 * editing the text in place so every other byte stays as the upstream wrote it.
 * Root list: {"versions": [{"id": "v2.1", "version": ...}, ...]}; v2.1 document: {"version": {...}}.
 */
export function advertiseInDiscoveryDocument(text: string, advertisedMax: string): string {
  const root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  if (!root || root.type !== 'object') return text;
  const entry = findNodeAtLocation(root, ['version']) ?? v21Entry(findNodeAtLocation(root, ['versions']));
  if (!entry || entry.type !== 'object') return text;
  const id = findNodeAtLocation(entry, ['id']);
  const version = findNodeAtLocation(entry, ['version']);
  if (id?.value !== 'v2.1' || version?.type !== 'string' || version.value === advertisedMax) return text;
  return applyEdits(text, [{ offset: version.offset, length: version.length, content: pythonJsonDumps(advertisedMax) }]);
}

function v21Entry(versions: Node | undefined): Node | undefined {
  if (!versions || versions.type !== 'array') return undefined;
  return versions.children?.find((e) => e.type === 'object' && findNodeAtLocation(e, ['id'])?.value === 'v2.1');
}
