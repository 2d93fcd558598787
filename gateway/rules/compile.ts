import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parseMicroversion, type Microversion } from '../microversion/version';
import { parseMicroversionRange, RangeSyntaxError, type MicroversionRange } from '../microversion/range';
import { ACTIONS, ACTION_KINDS, actionDefinition } from '../actions';
import type { ActionCheckContext } from '../actions';
import { ruleLoadError, sortErrors, type RuleLoadError } from './errors';
import { buildMatcher } from './matcher';
import type { RawExample, RawRule, RawRuleFile } from './raw';
import { validateRuleFileSchema } from './schema';
import { parseSource, type DataPath, type SourceFile } from './source';
import { parsePathTemplate } from './template';
import type { CompiledRule, HttpMethod, RuleAction, RuleFileSummary, RuleSet, SourceLocation } from './types';
import { METHODS_WITH_BODY } from '../actions/definition';

export interface RuleFileText {
  readonly name: string;
  readonly text: string;
}

export type LoadResult =
  | { readonly ok: true; readonly ruleSet: RuleSet; readonly warnings: string[] }
  | { readonly ok: false; readonly errors: RuleLoadError[] };

/** An example from a rule file, run by `check`. */
export interface RuleExample extends RawExample {
  readonly file: string;
  readonly location: SourceLocation;
}

/** compileRuleSet plus what only the commands need (examples). */
export type DetailedLoadResult =
  | { readonly ok: true; readonly ruleSet: RuleSet; readonly warnings: string[]; readonly examples: readonly RuleExample[] }
  | { readonly ok: false; readonly errors: RuleLoadError[] };

/**
 * Validates every file (syntax, schema, meaning, cross-file uniqueness) and, only when the
 * whole set is valid, compiles it. Pure: the names are used as given in messages.
 */
export function compileRuleSet(files: readonly RuleFileText[]): LoadResult {
  const result = compileRuleSetDetailed(files);
  return result.ok ? { ok: true, ruleSet: result.ruleSet, warnings: result.warnings } : result;
}

interface ValidFile {
  readonly source: SourceFile;
  readonly data: RawRuleFile;
  readonly microversion: Microversion;
  readonly ranges: Map<number, MicroversionRange>;
}

export function compileRuleSetDetailed(files: readonly RuleFileText[]): DetailedLoadResult {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const errors: RuleLoadError[] = [];
  const warnings: string[] = [];
  const valid: ValidFile[] = [];
  const ids = new Map<string, string>();
  const microversions = new Map<number, string>();

  for (const file of sorted) {
    const source = parseSource(file.name, file.text);
    warnings.push(...source.warnings);
    if (source.syntaxErrors.length) {
      errors.push(...source.syntaxErrors);
      continue;
    }
    const checked = checkFile(source, errors, warnings, ids, microversions);
    if (checked) valid.push(checked);
  }
  if (errors.length) return { ok: false, errors: sortErrors(errors) };

  valid.sort((a, b) => a.microversion.key - b.microversion.key);
  const rules: CompiledRule[] = [];
  const summaries: RuleFileSummary[] = [];
  const examples: RuleExample[] = [];
  for (const f of valid) {
    const fileRules = f.data.rules.map((raw, i) => compileRule(f, raw, i));
    rules.push(...fileRules);
    summaries.push(
      Object.freeze({
        file: f.source.name,
        microversion: f.microversion,
        title: f.data.title,
        description: f.data.description ?? '',
        ruleIds: Object.freeze(fileRules.map((r) => r.id)),
      }),
    );
    (f.data.examples ?? []).forEach((ex, i) => {
      const p = f.source.position(['examples', i]);
      examples.push({ ...ex, file: f.source.name, location: { file: f.source.name, line: p.line, column: p.column } });
    });
  }
  const match = buildMatcher(rules);
  const ruleSet: RuleSet = Object.freeze({
    files: Object.freeze(summaries),
    rules: Object.freeze(rules),
    hash: hashFiles(sorted),
    introduced: Object.freeze(valid.map((f) => f.microversion)),
    match,
  });
  return { ok: true, ruleSet, warnings, examples };
}

export function hashFiles(files: readonly RuleFileText[]): string {
  const h = createHash('sha256');
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of sorted) {
    const name = path.basename(f.name);
    h.update(`${Buffer.byteLength(name)}:${name}\n${Buffer.byteLength(f.text)}:`);
    h.update(f.text);
    h.update('\n');
  }
  return h.digest('hex');
}

/** The valid empty set: no files, no rules, nothing matches. */
export function emptyRuleSet(): RuleSet {
  const result = compileRuleSet([]);
  if (!result.ok) throw new Error('the empty rule set cannot fail');
  return result.ruleSet;
}

// ---------------------------------------------------------------------------------------
// Validation

type Report = (path: DataPath, message: string, options?: { key?: boolean; ruleIndex?: number }) => void;

function checkFile(
  source: SourceFile,
  errors: RuleLoadError[],
  warnings: string[],
  ids: Map<string, string>,
  microversions: Map<number, string>,
): ValidFile | undefined {
  const data = source.data as RawRuleFile;
  const ruleIdAt = (index: number | undefined): string | undefined => {
    if (index === undefined) return undefined;
    const id = (data?.rules as unknown[] | undefined)?.[index] as { id?: unknown } | undefined;
    return typeof id?.id === 'string' ? id.id : undefined;
  };
  const locate = (p: DataPath, key = false): SourceLocation => {
    const pos = source.position(p, { key });
    return { file: source.name, line: pos.line, column: pos.column };
  };
  const before = errors.length;
  const report: Report = (p, message, options) => {
    const loc = locate(p, options?.key);
    const index = options?.ruleIndex ?? (p[0] === 'rules' && typeof p[1] === 'number' ? p[1] : undefined);
    errors.push(ruleLoadError(source.name, loc.line, loc.column, message, ruleIdAt(index)));
  };

  const problems = validateRuleFileSchema(source.data);
  for (const p of problems) report(p.path, p.message, { key: p.key });
  /** Whether the schema found a problem at or inside a path (then its meaning is not checked). */
  const flawed = (prefix: DataPath) => problems.some((p) => prefix.every((seg, i) => p.path[i] === seg));
  if (problems.some((p) => p.path.length === 0 && !p.key)) return undefined;

  // The file's microversion.
  let microversion: Microversion | undefined;
  if (typeof data.microversion === 'string') {
    microversion = parseMicroversion(data.microversion);
    if (!microversion) {
      report(['microversion'], `bad microversion "${data.microversion}": must be X.Y with numbers without leading zeros, e.g. "2.39"`);
    } else {
      const first = microversions.get(microversion.key);
      if (first !== undefined) {
        report(['microversion'], `microversion ${microversion.text} is already introduced by ${first} (one file per microversion)`);
      } else {
        const loc = locate(['microversion']);
        microversions.set(microversion.key, `${loc.file}:${loc.line}:${loc.column}`);
      }
    }
  }

  const ranges = new Map<number, MicroversionRange>();
  if (Array.isArray(data.rules)) {
    if (data.rules.length === 0) {
      const loc = locate(['rules']);
      warnings.push(`${loc.file}:${loc.line}:${loc.column}: the file introduces ${data.microversion} without rules`);
    }
    data.rules.forEach((rule, i) => {
      if (rule === null || typeof rule !== 'object') return;
      const id = (rule as { id?: unknown }).id;
      if (typeof id === 'string' && !flawed(['rules', i, 'id'])) {
        const first = ids.get(id);
        const loc = locate(['rules', i, 'id']);
        if (first !== undefined) report(['rules', i, 'id'], `duplicate rule id "${id}" (first defined at ${first})`);
        else ids.set(id, `${loc.file}:${loc.line}:${loc.column}`);
      }
      if (flawed(['rules', i])) return;
      const warn = (p: DataPath, message: string) => {
        const loc = locate(p);
        const id = ruleIdAt(i);
        warnings.push(`${loc.file}:${loc.line}:${loc.column}: ${id !== undefined ? `rule "${id}": ` : ''}${message}`);
      };
      const range = checkRule(rule, i, report, warn);
      if (range) ranges.set(i, range);
    });
  }
  if (errors.length > before || !microversion) return undefined;
  return { source, data, microversion, ranges };
}

function checkRule(
  rule: RawRule,
  i: number,
  report: Report,
  warn: (path: DataPath, message: string) => void,
): MicroversionRange | undefined {
  const at = (...p: (string | number)[]): DataPath => ['rules', i, ...p];
  const { match } = rule;

  let range: MicroversionRange | undefined;
  try {
    range = parseMicroversionRange(match.versions);
    if (range.intervals.length === 0) {
      report(at('match', 'versions'), `versions "${match.versions}" admits no microversion`);
      range = undefined;
    }
  } catch (e) {
    if (!(e instanceof RangeSyntaxError)) throw e;
    report(at('match', 'versions'), `bad versions range: ${e.message}`);
  }

  const template = parsePathTemplate(match.path);
  if (!template.ok) report(at('match', 'path'), template.message);

  const serverActions = match.serverActions ?? [];
  if (match.serverActions) {
    if (match.methods.some((m) => m !== 'POST')) {
      report(at('match', 'serverActions'), `serverActions needs methods [POST] (a server action is POST .../action), got [${match.methods.join(', ')}]`, { key: true });
    }
    if (!/\/action$/.test(match.path)) {
      report(at('match', 'serverActions'), `serverActions needs a path ending in "/action", got "${match.path}"`, { key: true });
    }
  }

  const apis = match.apis ?? ['v2.1'];
  if (range && apis.includes('v2')) {
    const v21 = parseMicroversion('2.1')!;
    if (!range.includes(v21)) {
      const why = `the legacy /v2 API is matched as version 2.1, which versions "${match.versions}" excludes`;
      if (apis.length === 1) report(at('match', 'apis'), `rule can never match: ${why}`);
      else warn(at('match', 'apis'), `apis lists v2, but ${why}`);
    }
  }

  const kinds = rule.actions.map((a) => Object.keys(a)[0]);
  rule.actions.forEach((action, j) => {
    const kind = kinds[j] as RuleAction['kind'];
    const def = actionDefinition(kind);
    if (kinds.indexOf(kind) !== j) {
      report(at('actions', j, kind), `duplicate ${kind} action (a rule has at most one of each kind: merge them)`, { key: true });
      return;
    }
    if (def.needsRequestBody) {
      const bodiless = match.methods.filter((m) => !METHODS_WITH_BODY.includes(m));
      if (bodiless.length) {
        report(at('actions', j, kind), `${kind} works on the request body, but ${bodiless.join(', ')} ${bodiless.length > 1 ? 'have' : 'has'} none (use POST, PUT or PATCH)`, { key: true });
      }
    }
    const ctx: ActionCheckContext = {
      methods: match.methods,
      serverActions,
      actionKinds: kinds,
      error: (p, message, options) => report(at('actions', j, kind, ...p), message, { key: options?.key, ruleIndex: i }),
    };
    def.check(action[kind], ctx);
  });
  return range;
}

// ---------------------------------------------------------------------------------------
// Compilation (the set is valid)

function compileRule(f: ValidFile, raw: RawRule, i: number): CompiledRule {
  const pos = f.source.position(['rules', i]);
  const actions = raw.actions.map((a) => {
    const kind = Object.keys(a)[0] as RuleAction['kind'];
    return ACTIONS[kind].compile(a[kind] as never) as RuleAction;
  });
  return Object.freeze({
    id: raw.id,
    description: raw.description ?? '',
    file: f.source.name,
    location: { file: f.source.name, line: pos.line, column: pos.column },
    introducedIn: f.microversion,
    methods: Object.freeze([...raw.match.methods]) as readonly HttpMethod[],
    path: raw.match.path,
    serverActions: Object.freeze([...(raw.match.serverActions ?? [])]),
    versions: f.ranges.get(i) ?? parseMicroversionRange(raw.match.versions),
    apis: Object.freeze([...(raw.match.apis ?? ['v2.1'])]),
    actions: Object.freeze(actions),
    enabled: raw.enabled ?? true,
    shadow: raw.shadow ?? false,
  });
}

export { ACTION_KINDS };
