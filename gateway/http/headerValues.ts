/** Request header values as Node gives them (string, or string[] for a few repeated fields). */
type Value = string | string[] | number | undefined;

/** All lines of a field joined with "," — as a WSGI server folds repeated lines. */
export function joinedHeader(value: Value): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The first line of a field. */
export function firstHeader(value: Value): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}
