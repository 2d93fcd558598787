import semver from 'semver';
import { parseMicroversion, microversion, type Microversion } from './version';

/** A half-open interval of version keys [from, to). */
export interface KeyInterval {
  readonly from: number;
  readonly to: number;
}

/** A compiled microversion range: a union of intervals, checked per request by key. */
export interface MicroversionRange {
  readonly source: string;
  readonly intervals: readonly KeyInterval[];
  includes(v: Microversion): boolean;
}

const MV = '[1-9]\\d*\\.(?:0|[1-9]\\d*)';
const COMPARATOR = `(?:>=|<=|>|<|=)?\\s*${MV}`;
const HYPHEN = `${MV}\\s+-\\s+${MV}`;
const CONJUNCTION = `(?:${HYPHEN}|${COMPARATOR}(?:\\s+${COMPARATOR})*)`;
const RANGE_GRAMMAR = new RegExp(`^\\s*${CONJUNCTION}(?:\\s*\\|\\|\\s*${CONJUNCTION})*\\s*$`);
const MV_TOKEN = new RegExp(MV, 'g');

export class RangeSyntaxError extends Error {}

/**
 * Parses a semver-style range over microversions: ">=2.39", "<2.39", ">=2.36 <2.39",
 * "2.1 - 2.38", "=2.39", joined with "||". Versions are X.Y with a numeric minor;
 * x-ranges, tildes, carets and patch numbers are refused.
 */
export function parseMicroversionRange(source: string): MicroversionRange {
  if (typeof source !== 'string' || !RANGE_GRAMMAR.test(source)) {
    throw new RangeSyntaxError(
      `"${source}" is not a microversion range (use comparators such as ">=2.39", "<2.39", ">=2.36 <2.39" or "2.1 - 2.38")`,
    );
  }
  const asSemver = source.replace(MV_TOKEN, (mv) => `${mv}.0`);
  const range = new semver.Range(asSemver);
  const intervals = range.set.map(conjunctionInterval).filter((i) => i.from < i.to);
  return {
    source,
    intervals,
    includes: (v) => intervals.some((i) => v.key >= i.from && v.key < i.to),
  };
}

function conjunctionInterval(comparators: readonly semver.Comparator[]): KeyInterval {
  let from = 0;
  let to = Number.MAX_SAFE_INTEGER;
  for (const c of comparators) {
    if (c.value === '') continue;
    const key = keyOf(c.semver as semver.SemVer);
    switch (c.operator) {
      case '>=': from = Math.max(from, key); break;
      case '>': from = Math.max(from, key + 1); break;
      case '<': to = Math.min(to, key); break;
      case '<=': to = Math.min(to, key + 1); break;
      default: from = Math.max(from, key); to = Math.min(to, key + 1);
    }
  }
  return { from, to };
}

function keyOf(v: semver.SemVer): number {
  return microversion(v.major, v.minor).key;
}

/** The lowest microversion a range admits, if it has a lower bound. */
export function lowestIncluded(range: MicroversionRange): number | undefined {
  const froms = range.intervals.map((i) => i.from);
  return froms.length ? Math.min(...froms) : undefined;
}

export function versionInRange(range: MicroversionRange, text: string): boolean {
  const v = parseMicroversion(text);
  return v !== undefined && range.includes(v);
}
