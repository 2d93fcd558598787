import type { CompiledRule, MatchQuery, RuleApi, RuleMatch } from './types';
import { parsePathTemplate } from './template';
import { pathVariants } from './template';
import { expandAction } from '../actions';

/**
 * The rule index: per API and method a trie over path segments (literal children by name,
 * one parameter child); at each leaf the version axis is pre-split at every range boundary
 * into intervals, each holding its final ordered rule list, found by binary search on the
 * version key. Matching a request costs the same with 10 rules or 1,000.
 */
interface TrieNode {
  readonly literals: Map<string, TrieNode>;
  param?: TrieNode;
  leaf?: Leaf;
}

interface Leaf {
  /** Rules at this node, in rule-set order, while building. */
  readonly pending: CompiledRule[];
  /** Interval i covers version keys [starts[i], starts[i + 1]). */
  starts: number[];
  buckets: Bucket[];
}

const newNode = (): TrieNode => ({ literals: new Map() });

/** The rules that apply on one interval of one leaf, with the server-action narrowing precomputed. */
class Bucket implements RuleMatch {
  readonly needsServerAction: boolean;
  private readonly unrestricted: readonly CompiledRule[];
  private readonly byAction?: ReadonlyMap<string, readonly CompiledRule[]>;

  constructor(
    readonly rules: readonly CompiledRule[],
    variants: (rule: CompiledRule, action: string) => CompiledRule,
  ) {
    this.needsServerAction = rules.some((r) => r.serverActions.length > 0);
    this.unrestricted = this.needsServerAction ? rules.filter((r) => r.serverActions.length === 0) : rules;
    if (!this.needsServerAction) return;
    const byAction = new Map<string, readonly CompiledRule[]>();
    for (const name of new Set(rules.flatMap((r) => r.serverActions))) {
      byAction.set(
        name,
        rules.flatMap((r) =>
          r.serverActions.length === 0 ? [r] : r.serverActions.includes(name) ? [variants(r, name)] : [],
        ),
      );
    }
    this.byAction = byAction;
  }

  forServerAction(action: string | undefined): readonly CompiledRule[] {
    if (!this.byAction) return this.rules;
    if (action === undefined) return this.unrestricted;
    return this.byAction.get(action) ?? this.unrestricted;
  }
}

const EMPTY_MATCH: RuleMatch = Object.freeze({
  rules: Object.freeze([]) as readonly CompiledRule[],
  needsServerAction: false,
  forServerAction: () => EMPTY_MATCH.rules,
});

/** Several leaves matched (parameter and literal, or with and without a format suffix). */
class MergedMatch implements RuleMatch {
  readonly rules: readonly CompiledRule[];
  readonly needsServerAction: boolean;

  constructor(
    private readonly parts: readonly RuleMatch[],
    private readonly order: (r: CompiledRule) => number,
  ) {
    this.rules = this.merge(parts.map((p) => p.rules));
    this.needsServerAction = parts.some((p) => p.needsServerAction);
  }

  forServerAction(action: string | undefined): readonly CompiledRule[] {
    return this.merge(this.parts.map((p) => p.forServerAction(action)));
  }

  private merge(lists: readonly (readonly CompiledRule[])[]): readonly CompiledRule[] {
    const byOrdinal = new Map<number, CompiledRule>();
    for (const list of lists) for (const r of list) if (!byOrdinal.has(this.order(r))) byOrdinal.set(this.order(r), r);
    return [...byOrdinal.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }
}

export type Matcher = (query: MatchQuery) => RuleMatch;

export function buildMatcher(rules: readonly CompiledRule[]): Matcher {
  const ordinals = new Map<CompiledRule, number>();
  rules.forEach((r, i) => ordinals.set(r, i));
  const variantCache = new Map<CompiledRule, Map<string, CompiledRule>>();
  const variant = (rule: CompiledRule, action: string): CompiledRule => {
    let perRule = variantCache.get(rule);
    if (!perRule) variantCache.set(rule, (perRule = new Map()));
    let v = perRule.get(action);
    if (!v) {
      v = Object.freeze({
        ...rule,
        serverActions: Object.freeze([action]),
        actions: Object.freeze(rule.actions.map((a) => expandAction(a, action))),
      });
      perRule.set(action, v);
      ordinals.set(v, ordinals.get(rule)!);
    }
    return v;
  };

  const roots = new Map<string, Map<string, TrieNode>>();
  const leaves: Leaf[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const parsed = parsePathTemplate(rule.path);
    if (!parsed.ok) throw new Error(parsed.message);
    for (const api of rule.apis) {
      let byMethod = roots.get(api);
      if (!byMethod) roots.set(api, (byMethod = new Map()));
      for (const method of rule.methods) {
        let node = byMethod.get(method);
        if (!node) byMethod.set(method, (node = newNode()));
        for (const seg of parsed.segments) {
          if (seg.kind === 'param') node = node.param ??= newNode();
          else {
            let next = node.literals.get(seg.text);
            if (!next) node.literals.set(seg.text, (next = newNode()));
            node = next;
          }
        }
        if (!node.leaf) leaves.push((node.leaf = { pending: [], starts: [], buckets: [] }));
        node.leaf.pending.push(rule);
      }
    }
  }
  for (const leaf of leaves) finaliseLeaf(leaf, variant);

  const order = (r: CompiledRule) => ordinals.get(r) ?? Number.MAX_SAFE_INTEGER;

  return (query) => {
    const root = roots.get(query.api as RuleApi)?.get(query.method);
    if (!root) return EMPTY_MATCH;
    const found: Bucket[] = [];
    for (const segments of pathVariants(query.resourcePath)) collect(root, segments, 0, query.version.key, found);
    if (found.length === 0) return EMPTY_MATCH;
    if (found.length === 1) return found[0];
    const distinct = [...new Set(found)];
    return distinct.length === 1 ? distinct[0] : new MergedMatch(distinct, order);
  };
}

function finaliseLeaf(leaf: Leaf, variant: (rule: CompiledRule, action: string) => CompiledRule): void {
  const bounds = new Set<number>([0]);
  for (const r of leaf.pending) for (const i of r.versions.intervals) bounds.add(i.from).add(i.to);
  const starts = [...bounds].sort((a, b) => a - b);
  // Intervals with the same rules share one bucket: memory stays linear in the rules.
  const shared = new Map<string, Bucket>();
  const buckets = starts.map((from) => {
    const rules = leaf.pending.filter((r) => r.versions.intervals.some((i) => from >= i.from && from < i.to));
    const key = rules.map((r) => r.id).join('\n');
    let bucket = shared.get(key);
    if (!bucket) shared.set(key, (bucket = rules.length ? new Bucket(Object.freeze(rules), variant) : EMPTY_BUCKET));
    return bucket;
  });
  // Adjacent intervals with the same bucket merge, so the binary search is over distinct spans.
  leaf.starts = starts.filter((_, i) => i === 0 || buckets[i] !== buckets[i - 1]);
  leaf.buckets = buckets.filter((b, i) => i === 0 || b !== buckets[i - 1]);
}

const EMPTY_BUCKET = new Bucket(Object.freeze([]), (r) => r);

function collect(node: TrieNode, segments: readonly string[], i: number, key: number, out: Bucket[]): void {
  if (i === segments.length) {
    if (node.leaf) {
      const bucket = bucketAt(node.leaf, key);
      if (bucket.rules.length > 0) out.push(bucket);
    }
    return;
  }
  const seg = segments[i];
  const literal = node.literals.get(seg);
  if (literal) collect(literal, segments, i + 1, key, out);
  if (node.param && seg !== '') collect(node.param, segments, i + 1, key, out);
}

function bucketAt(leaf: Leaf, key: number): Bucket {
  const starts = leaf.starts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= key) lo = mid;
    else hi = mid - 1;
  }
  return leaf.buckets[lo];
}

export const emptyMatch = (): RuleMatch => EMPTY_MATCH;
