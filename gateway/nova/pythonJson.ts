/**
 * Serialises a value the way Python's json.dumps does with its defaults
 * (separators ", " and ": ", ensure_ascii=True), which is how Nova writes
 * every JSON body. Only JSON-safe values (objects, arrays, strings, finite
 * numbers, booleans, null) are supported.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return asciiJsonString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number');
      return Number.isInteger(value) ? String(value) : pythonFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value)) return '[' + value.map(pythonJsonDumps).join(', ') + ']';
      return (
        '{' +
        Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => asciiJsonString(k) + ': ' + pythonJsonDumps(v))
          .join(', ') +
        '}'
      );
    default:
      throw new TypeError(`cannot serialise ${typeof value}`);
  }
}

function pythonFloat(n: number): string {
  const s = String(n);
  return s.includes('e') || s.includes('.') ? s : s + '.0';
}

function asciiJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
