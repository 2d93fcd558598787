/**
 * A number from the environment for the bench and soak tools: the default when the variable is
 * unset or not a number, or below the smallest value allowed (positive unless `min` says
 * otherwise, e.g. 0 where 0 means "never").
 */
export function envNumber(name: string, dflt: number, min = Number.MIN_VALUE): number {
  const raw = process.env[name];
  const v = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(v) && v >= min ? v : dflt;
}
