/**
 * Nova's parameter_types.metadata, as a yes/no check: an object whose keys match
 * ^[a-zA-Z0-9-_:. ]{1,255}$ (Python's "$" also matches before a final newline) and whose
 * values are strings of at most 255 characters (code points, as Python counts).
 */
const KEY = /^[a-zA-Z0-9\-_:. ]{1,255}\n?$/;

export function isValidNovaMetadata(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const [k, v] of Object.entries(value)) {
    if (!KEY.test(k) || typeof v !== 'string' || codePoints(v) > 255) return false;
  }
  return true;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
