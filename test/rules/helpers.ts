import { compileRuleSet, type LoadResult } from '../../gateway/rules/compile';
import type { RuleLoadError } from '../../gateway/rules/errors';
import type { RuleSet } from '../../gateway/rules/types';

/** Strips the first newline so a template literal's line 1 is the file's line 1. */
export function file(text: string): string {
  return text.replace(/^\n/, '');
}

export function compile(...texts: string[]): LoadResult {
  return compileRuleSet(texts.map((text, i) => ({ name: `rules/f${i + 1}.yaml`, text })));
}

export function errorsOf(...texts: string[]): RuleLoadError[] {
  const r = compile(...texts);
  if (r.ok) throw new Error('expected the rule set to be refused');
  return r.errors;
}

export function onlyError(...texts: string[]): RuleLoadError {
  const errors = errorsOf(...texts);
  if (errors.length !== 1) throw new Error(`expected one error, got:\n${errors.map((e) => e.text).join('\n')}`);
  return errors[0];
}

export function ruleSetOf(...texts: string[]): RuleSet {
  const r = compile(...texts);
  if (!r.ok) throw new Error(r.errors.map((e) => e.text).join('\n'));
  return r.ruleSet;
}

/** A valid file with one rule whose lines 4.. are given (indented as list items under rules:). */
export function withRules(rules: string, microversion = '2.39'): string {
  return `microversion: "${microversion}"\ntitle: Test\nrules:\n${rules.replace(/^\n/, '')}`;
}
