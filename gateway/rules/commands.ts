import { parseMicroversion, type Microversion } from '../microversion/version';
import { loadRuleSetDetailed } from './load';
import { advertisedRange, decide, type Decision } from './decide';
import { describeAction } from '../actions';
import { runExamples, describeOutcome } from './examples';
import type { RuleLoadError } from './errors';
import type { CompiledRule, RuleSet } from './types';

/** Where a command prints: process.stdout, or a collector in tests. */
export interface Writer {
  write(text: string): unknown;
}

export interface CheckOptions {
  readonly dir: string;
  /** The upstream's maximum microversion ("2.38"); enables the advertised-range line. */
  readonly upstreamMaxVersion?: string;
  readonly out: Writer;
}

export interface ExplainOptions {
  readonly dir: string;
  readonly method: string;
  /** The request target, e.g. /v2.1/images/ID/metadata. */
  readonly path: string;
  /** Sent as OpenStack-API-Version: compute <version>; omit for no header. */
  readonly version?: string;
  /** The request body as JSON text. */
  readonly body?: string;
  readonly prefix?: string;
  readonly upstreamMaxVersion?: string;
  readonly out: Writer;
}

export interface ChangelogOptions {
  readonly dir: string;
  readonly out: Writer;
}

/** Exit codes: 0 fine, 1 invalid rules or failing examples, 2 bad command arguments. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

function line(out: Writer, text = ''): void {
  out.write(text + '\n');
}

function parseUpstreamMax(text: string | undefined, out: Writer): Microversion | undefined | null {
  if (text === undefined || text === '') return undefined;
  const v = parseMicroversion(text);
  if (!v) {
    line(out, `error: upstream max version "${text}" is not a microversion X.Y`);
    return null;
  }
  return v;
}

function printErrors(out: Writer, dir: string, errors: readonly RuleLoadError[]): void {
  for (const e of errors) line(out, e.text);
  line(out, `${errors.length} error${errors.length === 1 ? '' : 's'}: the rule set in ${dir} is refused (nothing from it is used)`);
}

export function ruleFlags(r: CompiledRule): string {
  return !r.enabled ? 'disabled' : r.shadow ? 'shadow' : 'enabled';
}

function ruleHead(r: CompiledRule): string {
  const actions = r.serverActions.length ? ` [${r.serverActions.join(', ')}]` : '';
  return `${r.methods.join(',')} ${r.path}${actions}  versions ${r.versions.source}  apis ${r.apis.join(',')}`;
}

/** `check`: validate, list files and rules, the microversions introduced, the advertised range, the examples. */
export async function checkCommand(options: CheckOptions): Promise<number> {
  const { out, dir } = options;
  const upstreamMax = parseUpstreamMax(options.upstreamMaxVersion, out);
  if (upstreamMax === null) return EXIT_USAGE;
  const loaded = await loadRuleSetDetailed(dir);
  if (!loaded.ok) {
    printErrors(out, dir, loaded.errors);
    return EXIT_INVALID;
  }
  const { ruleSet, examples, warnings } = loaded;
  for (const w of warnings) line(out, `warning: ${w}`);
  line(out, `rule files in ${dir}: ${ruleSet.files.length}`);
  for (const f of ruleSet.files) {
    const n = examples.filter((e) => e.file === f.file).length;
    line(out, `  ${f.file}  microversion ${f.microversion.text}  "${f.title}"  (${f.ruleIds.length} rules, ${n} examples)`);
  }
  const count = (p: (r: CompiledRule) => boolean) => ruleSet.rules.filter(p).length;
  line(
    out,
    `rules: ${ruleSet.rules.length} (${count((r) => r.enabled && !r.shadow)} enforced, ${count((r) => r.enabled && r.shadow)} shadow, ${count((r) => !r.enabled)} disabled)`,
  );
  for (const r of ruleSet.rules) {
    line(out, `  ${r.id}  [${ruleFlags(r)}]  ${r.location.file}:${r.location.line}:${r.location.column}`);
    line(out, `      ${ruleHead(r)}`);
    for (const a of r.actions) line(out, `      - ${describeAction(a)}`);
  }
  line(out, `microversions introduced: ${ruleSet.introduced.map((v) => v.text).join(', ') || 'none'}`);
  const range = advertisedRange(ruleSet, upstreamMax);
  if (upstreamMax) {
    line(out, `advertised range: ${range.min.text} – ${range.max.text} (${raiseText(range.upstreamMax, range.max, ruleSet)})`);
  } else {
    line(out, 'advertised range: give --upstream-max-version to compute it');
  }
  if (range.stoppedAt) {
    line(
      out,
      `warning: no rule file introduces ${range.stoppedAt.missing.text}, so ${range.stoppedAt.ignored.map((v) => v.text).join(', ')} cannot be advertised (the raise stops at ${range.max.text})`,
    );
  }
  const results = runExamples(ruleSet, examples, { upstreamMax: upstreamMax ?? undefined });
  const failed = results.filter((r) => !r.pass);
  line(
    out,
    `examples: ${results.length - failed.length} passed, ${failed.length} failed (upstream max ${range.upstreamMax.text}${
      range.upstreamMaxAssumed ? ', assumed: the version below the lowest one introduced' : ''
    }, advertised max ${range.max.text})`,
  );
  for (const r of results) line(out, `  ${r.pass ? 'pass' : 'FAIL'}  ${r.text}`);
  line(out, `hash: ${ruleSet.hash}`);
  line(out, failed.length ? `result: ${failed.length} example${failed.length === 1 ? '' : 's'} failed` : 'result: ok');
  return failed.length ? EXIT_INVALID : EXIT_OK;
}

function raiseText(upstreamMax: Microversion, max: Microversion, ruleSet: RuleSet): string {
  const used = ruleSet.introduced.filter((v) => v.key > upstreamMax.key && v.key <= max.key);
  return used.length
    ? `upstream max ${upstreamMax.text} raised by the rule files for ${used.map((v) => v.text).join(', ')}`
    : `upstream max ${upstreamMax.text}, not raised`;
}

/** `explain`: what the gateway would do with one request, contacting nothing. */
export async function explainCommand(options: ExplainOptions): Promise<number> {
  const { out } = options;
  const upstreamMax = parseUpstreamMax(options.upstreamMaxVersion, out);
  if (upstreamMax === null) return EXIT_USAGE;
  let body: unknown;
  if (options.body !== undefined) {
    try {
      body = JSON.parse(options.body);
    } catch (err) {
      line(out, `error: --body is not JSON: ${(err as Error).message}`);
      return EXIT_USAGE;
    }
  }
  const loaded = await loadRuleSetDetailed(options.dir);
  if (!loaded.ok) {
    printErrors(out, options.dir, loaded.errors);
    return EXIT_INVALID;
  }
  const method = options.method.toUpperCase();
  const headers: Record<string, string> = {};
  if (options.version !== undefined) headers['OpenStack-API-Version'] = `compute ${options.version}`;
  const d = decide(
    loaded.ruleSet,
    { method, target: options.path, headers, ...(body !== undefined ? { body } : {}) },
    { prefix: options.prefix ?? '', upstreamMax: upstreamMax ?? undefined },
  );
  printDecision(out, method, options, d, loaded.ruleSet);
  return EXIT_OK;
}

function printDecision(out: Writer, method: string, options: ExplainOptions, d: Decision, ruleSet: RuleSet): void {
  const field = (name: string, value: string) => line(out, `${name.padEnd(14)}${value}`);
  field('request', `${method} ${options.path}${options.prefix ? `  (prefix ${options.prefix})` : ''}`);
  field('version', options.version !== undefined ? `OpenStack-API-Version: compute ${options.version}` : 'no version header (2.1)');
  field('rule set', `${ruleSet.files.length} files, ${ruleSet.rules.length} rules, hash ${ruleSet.hash.slice(0, 12)}`);
  const a = d.advertised;
  field(
    'advertised',
    `${a.min.text} – ${a.max.text} (${raiseText(a.upstreamMax, a.max, ruleSet)}${
      a.upstreamMaxAssumed ? '; upstream max assumed, give --upstream-max-version' : ''
    })`,
  );
  if (d.refusal) {
    field('canonical', `refused: ${d.refusal}`);
  } else if (d.canonical) {
    field('canonical', `${d.canonical.path}${d.canonical.query}${d.canonical.path + d.canonical.query === options.path ? ' (unchanged)' : ''}`);
  }
  if (d.canonical && !d.refusal) {
    if (!d.route) field('route', `outside the prefix ${options.prefix || '(none)'}`);
    else {
      field(
        'route',
        `${d.route.kind}, project id ${d.route.projectId ?? '(none)'}, resource path ${d.route.resourcePath || '(none)'}`,
      );
    }
  }
  if (d.version) {
    const how =
      d.route?.kind === 'v2'
        ? 'legacy /v2: version headers stripped, runs as 2.1'
        : d.requested !== undefined
          ? `asked ${JSON.stringify(d.requested)}`
          : 'no version asked: the minimum';
    field('negotiated', `${d.version.text} (${how})`);
  } else if (d.outcome.kind === 'refuse' && d.outcome.stage === 'negotiate') {
    field('negotiated', `refused (asked ${JSON.stringify(d.requested)})`);
  }
  if (d.serverAction) field('server action', d.serverAction);
  if (d.rules.length || d.shadowRules.length) {
    const all = [...d.rules.map((r) => [r, 'enforced'] as const), ...d.shadowRules.map((r) => [r, 'shadow: counted, not enforced'] as const)];
    all.forEach(([r, mode], i) => field(i === 0 ? 'rules' : '', `${r.id} (${mode}; ${r.location.file}:${r.location.line}:${r.location.column})`));
  } else if (d.route && d.canonical && !d.refusal && d.outcome.kind !== 'refuse') {
    field('rules', 'none match');
  }
  const o = d.outcome;
  switch (o.kind) {
    case 'refuse':
      field('decision', `refuse ${o.status}: ${o.reason}${o.body ? `  ${o.body}` : ''}${o.echoVersion ? `  (version headers echo ${o.echoVersion})` : ''}`);
      break;
    case 'not-found':
      field('decision', "404 (Nova's router-level plain-text not found; nothing forwarded)");
      break;
    case 'respond':
      field('decision', `respond ${o.status} ${o.body}  (by ${o.by} of "${o.ruleId}"; not forwarded)`);
      break;
    case 'forward':
      field(
        'decision',
        o.version
          ? `forward at ${o.version.text}${d.version && d.version.key !== o.version.key ? ` (negotiated ${d.version.text} is above the upstream max ${o.version.text}; the answer reports ${d.version.text})` : ''}`
          : 'forward',
      );
      break;
  }
  d.steps.forEach((s, i) => field(i === 0 ? 'steps' : '', `${i + 1}. ${s.phase.padEnd(8)} ${s.ruleId}: ${s.text}`));
  if (d.shadowRules.length) {
    for (const r of d.shadowRules) {
      for (const act of r.actions) field('would (shadow)', `${r.id}: ${describeAction(act)}`);
    }
  }
  for (const n of d.notes) field('note', n);
  field('summary', describeOutcome(d));
}

/** `changelog`: Markdown generated from the rule files only, one section per microversion. */
export async function changelogCommand(options: ChangelogOptions): Promise<number> {
  const { out } = options;
  const loaded = await loadRuleSetDetailed(options.dir);
  if (!loaded.ok) {
    printErrors(out, options.dir, loaded.errors);
    return EXIT_INVALID;
  }
  out.write(renderChangelog(loaded.ruleSet));
  return EXIT_OK;
}

export function renderChangelog(ruleSet: RuleSet): string {
  const lines: string[] = [
    '# Compute API microversions emulated by the gateway',
    '',
    'Generated from the rule files by `microversion-gateway changelog`; edit the rule files, not this text.',
    '',
  ];
  if (ruleSet.files.length === 0) lines.push('No rule files: the gateway advertises the upstream range unchanged.', '');
  for (const f of ruleSet.files) {
    lines.push(`## ${f.microversion.text} — ${f.title}`, '');
    if (f.description.trim()) lines.push(f.description.trim(), '');
    for (const id of f.ruleIds) {
      const r = ruleSet.rules.find((x) => x.id === id)!;
      const on = r.serverActions.length ? ` (${r.serverActions.map((s) => `\`${s}\``).join(', ')})` : '';
      const apis = r.apis.length === 1 && r.apis[0] === 'v2.1' ? '' : `, APIs ${r.apis.join(' and ')}`;
      const state = !r.enabled ? ' — *disabled*' : r.shadow ? ' — *shadow (dry run)*' : '';
      const changes = r.actions.map((a) => describeAction(a).replace(/(^|\s)(\/[^\s,]+)/g, '$1`$2`')).join('; ');
      lines.push(`- \`${r.methods.join(' | ')} ${r.path}\`${on} at \`${r.versions.source}\`${apis}: ${changes}. Rule \`${r.id}\`${state}.`);
      if (r.description.trim()) lines.push(...r.description.trim().split('\n').map((l) => `  ${l}`.trimEnd()));
    }
    lines.push('');
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/\n*$/, '\n');
}
