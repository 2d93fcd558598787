/** A located problem in a rule file: file:line:column (1-based) of the offending node. */
export interface RuleLoadError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The id of the rule the node belongs to, when inside a rule that has a usable id. */
  readonly ruleId?: string;
  readonly message: string;
  /** The formatted one-line message: `file:line:column: rule "id": message`. */
  readonly text: string;
}

export function ruleLoadError(
  file: string,
  line: number,
  column: number,
  message: string,
  ruleId?: string,
): RuleLoadError {
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  const text = `${file}:${line}:${column}: ${ruleId !== undefined ? `rule "${ruleId}": ` : ''}${oneLine}`;
  return ruleId !== undefined
    ? { file, line, column, ruleId, message: oneLine, text }
    : { file, line, column, message: oneLine, text };
}

/** Errors in reading order: by file, then line, then column. */
export function sortErrors(errors: readonly RuleLoadError[]): RuleLoadError[] {
  return [...errors].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}
