import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { ruleLoadError, type RuleLoadError } from './errors';

/** A path into the parsed data: map keys and sequence indexes (as Ajv's instancePath, decoded). */
export type DataPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One rule file, parsed once with source positions kept for every node. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
  /** The plain data (JSON-compatible); undefined when the YAML did not parse. */
  readonly data: unknown;
  readonly syntaxErrors: readonly RuleLoadError[];
  readonly warnings: readonly string[];
  /** Position of the node at a path; `key: true` gives the key of the last map entry. */
  position(path: DataPath, options?: { key?: boolean }): Position;
}

/** YAML and JSON rule files are both read with the YAML 1.2 parser (JSON is a subset). */
export function parseSource(name: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  // Only the first syntax error: the parser's later ones are mostly consequences of it.
  const syntaxErrors = doc.errors.slice(0, 1).map((e) => {
    const p = at(e.pos[0]);
    const sourceLine = text.split(/\r?\n/)[p.line - 1] ?? '';
    const hint = /[[{,]\s*[^"'\s[{][^,}\]]*\{/.test(sourceLine)
      ? ' (inside [ ] or { }, quote values that contain braces, e.g. "/{action}/metadata")'
      : '';
    const more = doc.errors.length > 1 ? ` (${doc.errors.length - 1} further YAML errors not shown)` : '';
    return ruleLoadError(name, p.line, p.column, `YAML syntax error: ${firstLine(e.message)}${hint}${more}`);
  });
  const warnings = doc.warnings.map((w) => {
    const p = at(w.pos[0]);
    return `${name}:${p.line}:${p.column}: ${firstLine(w.message)}`;
  });
  let data: unknown;
  if (syntaxErrors.length === 0) data = doc.toJS({ maxAliasCount: 100 }) ?? null;
  return {
    name,
    text,
    data,
    syntaxErrors,
    warnings,
    position: (path, options) => at(locate(doc, path, options?.key ?? false)),
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

/** The source offset of the node at a path, or of the closest existing ancestor. */
function locate(doc: Document.Parsed, path: DataPath, wantKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = startOf(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return offset;
      const keyStart = startOf(pair.key) ?? offset;
      if (last && wantKey) return keyStart;
      node = pair.value;
      // An empty value ("key:" with nothing after it) is placed after the colon: point at the key.
      const valueStart = isScalar(node) && node.value === null && !node.source ? undefined : startOf(node);
      offset = valueStart ?? keyStart;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return offset;
      node = item;
      offset = startOf(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
