/** A microversion X.Y, parsed with Nova's format check (APIVersionRequest). */
export interface Microversion {
  readonly major: number;
  readonly minor: number;
  /** Canonical "X.Y" text. */
  readonly text: string;
  /** Totally ordered numeric key: compare keys instead of re-parsing. */
  readonly key: number;
}

const NOVA_VERSION_FORMAT = /^([1-9]\d*)\.([1-9]\d*|0)$/;
const MINOR_SPAN = 1_000_000;

export function parseMicroversion(text: string): Microversion | undefined {
  const m = NOVA_VERSION_FORMAT.exec(text);
  if (!m) return undefined;
  return microversion(Number(m[1]), Number(m[2]), text);
}

export function microversion(major: number, minor: number, text = `${major}.${minor}`): Microversion {
  const key = Math.min(major, Number.MAX_SAFE_INTEGER / MINOR_SPAN - 1) * MINOR_SPAN + Math.min(minor, MINOR_SPAN - 1);
  return { major, minor, text, key };
}

export function mustParseMicroversion(text: string): Microversion {
  const v = parseMicroversion(text);
  if (!v) throw new Error(`"${text}" is not a microversion of the form X.Y`);
  return v;
}

export function compareMicroversions(a: Microversion, b: Microversion): number {
  return a.key - b.key;
}

/** The next microversion after v within the same major (2.38 -> 2.39). */
export function nextMicroversion(v: Microversion): Microversion {
  return microversion(v.major, v.minor + 1);
}

export function maxMicroversion(a: Microversion, b: Microversion): Microversion {
  return a.key >= b.key ? a : b;
}

export function minMicroversion(a: Microversion, b: Microversion): Microversion {
  return a.key <= b.key ? a : b;
}
