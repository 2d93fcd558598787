import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ruleLoadError, type RuleLoadError } from './errors';
import {
  compileRuleSet,
  compileRuleSetDetailed,
  emptyRuleSet,
  type DetailedLoadResult,
  type LoadResult,
  type RuleFileText,
} from './compile';

export { compileRuleSet, emptyRuleSet };
export type { LoadResult, RuleFileText };
export type { RuleLoadError } from './errors';

/** Rule files: *.yaml, *.yml and *.json, except JSON Schemas (*.schema.json) and hidden files. */
export function isRuleFileName(name: string): boolean {
  return !name.startsWith('.') && /\.(ya?ml|json)$/.test(name) && !name.endsWith('.schema.json');
}

export type ReadResult =
  | { readonly ok: true; readonly files: RuleFileText[]; readonly warnings: string[] }
  | { readonly ok: false; readonly errors: RuleLoadError[] };

/** Reads the rule files of a directory (names as `dir/name`); a missing directory is empty. */
export async function readRuleFiles(dir: string): Promise<ReadResult> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { ok: true, files: [], warnings: [`rule directory ${dir} does not exist: no rules loaded`] };
    }
    return { ok: false, errors: [ruleLoadError(dir, 1, 1, `cannot read rule directory: ${(err as Error).message}`)] };
  }
  const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && isRuleFileName(e.name)).map((e) => e.name).sort();
  const files: RuleFileText[] = [];
  const errors: RuleLoadError[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      files.push({ name: file, text: await fs.readFile(file, 'utf8') });
    } catch (err) {
      errors.push(ruleLoadError(file, 1, 1, `cannot read rule file: ${(err as Error).message}`));
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, files, warnings: [] };
}

/** Loads, validates and compiles every rule file of a directory: all or nothing. */
export async function loadRuleSet(dir: string): Promise<LoadResult> {
  const read = await readRuleFiles(dir);
  if (!read.ok) return read;
  const result = compileRuleSet(read.files);
  return result.ok ? { ...result, warnings: [...read.warnings, ...result.warnings] } : result;
}

/** loadRuleSet plus the files' examples, for `check`. */
export async function loadRuleSetDetailed(dir: string): Promise<DetailedLoadResult> {
  const read = await readRuleFiles(dir);
  if (!read.ok) return read;
  const result = compileRuleSetDetailed(read.files);
  return result.ok ? { ...result, warnings: [...read.warnings, ...result.warnings] } : result;
}
