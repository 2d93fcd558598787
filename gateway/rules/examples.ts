import type { Microversion } from '../microversion/version';
import type { RuleExample } from './compile';
import { decide, type Decision } from './decide';
import type { ExampleExpectation } from './raw';
import type { RuleSet } from './types';

export interface ExampleResult {
  readonly example: RuleExample;
  readonly pass: boolean;
  readonly decision: Decision;
  /** Why it failed, one line; undefined when it passed. */
  readonly failure?: string;
  /** The located one-line failure: `file:line:column: example "name": ...`. */
  readonly text: string;
}

/** Runs the files' examples against the whole rule set (prefix none, as a client sends them). */
export function runExamples(
  ruleSet: RuleSet,
  examples: readonly RuleExample[],
  options: { upstreamMax?: Microversion } = {},
): ExampleResult[] {
  return examples.map((example) => {
    const { request } = example;
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    if (request.version !== undefined) headers['OpenStack-API-Version'] = `compute ${request.version}`;
    const decision = decide(
      ruleSet,
      { method: request.method, target: request.path, headers, ...(request.body !== undefined ? { body: request.body } : {}) },
      { upstreamMax: options.upstreamMax },
    );
    const failure = expectationFailure(example.expect, decision);
    const where = `${example.location.file}:${example.location.line}:${example.location.column}: example "${example.name}"`;
    return {
      example,
      pass: failure === undefined,
      decision,
      ...(failure !== undefined ? { failure } : {}),
      text: failure === undefined ? `${where}: ok` : `${where}: ${failure}`,
    };
  });
}

export function describeExpectation(e: ExampleExpectation): string {
  const parts: string[] = [];
  if (e.error !== undefined) parts.push(`error ${e.error}`);
  if (e.respond !== undefined) parts.push(`respond ${e.respond}`);
  if (e.forward) parts.push('forward');
  if (e.rules) parts.push(`rules [${e.rules.join(', ')}]`);
  else if (e.forward) parts.push('no rule acting');
  return parts.join(', ');
}

/** What a decision amounts to, in the terms of an expectation. */
export function describeOutcome(d: Decision): string {
  const o = d.outcome;
  const rules = `rules [${d.rules.map((r) => r.id).join(', ')}]`;
  switch (o.kind) {
    case 'refuse':
      return `error ${o.status} (${o.stage}: ${o.reason})`;
    case 'not-found':
      return 'not found (outside the prefix)';
    case 'respond':
      return `respond ${o.status} by ${o.by} of "${o.ruleId}", ${rules}`;
    case 'forward':
      return `forward${o.version ? ` at ${o.version.text}` : ''}, ${rules}`;
  }
}

function expectationFailure(e: ExampleExpectation, d: Decision): string | undefined {
  if (e.forward && e.respond !== undefined) return 'contradictory expectation: forward and respond';
  if (e.error !== undefined && (e.forward || e.respond !== undefined || e.rules)) {
    return 'contradictory expectation: error excludes forward, respond and rules';
  }
  const o = d.outcome;
  const ok =
    (e.error === undefined || (o.kind === 'refuse' && o.status === e.error)) &&
    (e.respond === undefined || (o.kind === 'respond' && o.status === e.respond)) &&
    (!e.forward || o.kind === 'forward') &&
    (e.rules !== undefined ? sameIds(e.rules, d.rules.map((r) => r.id)) : !e.forward || d.rules.length === 0);
  return ok ? undefined : `expected ${describeExpectation(e)}, got ${describeOutcome(d)}`;
}

function sameIds(expected: readonly string[], actual: readonly string[]): boolean {
  return expected.length === actual.length && expected.every((id) => actual.includes(id));
}
