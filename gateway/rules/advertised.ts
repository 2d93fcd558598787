import { nextMicroversion, type Microversion } from '../microversion/version';

export interface AdvertisedMaximum {
  readonly max: Microversion;
  /** Set when files introduce microversions above a gap: the first missing one and those left out. */
  readonly stoppedAt?: { readonly missing: Microversion; readonly ignored: Microversion[] };
}

/**
 * The maximum the gateway can advertise: the upstream's maximum raised one step at a time
 * for as long as a rule file introduces the next microversion. Files at or below the
 * upstream maximum change nothing; files above a gap are ignored (the gap would be a
 * version the gateway claims without emulating it).
 */
export function advertisedMaximum(upstreamMax: Microversion, introduced: readonly Microversion[]): AdvertisedMaximum {
  const keys = new Set(introduced.map((v) => v.key));
  let max = upstreamMax;
  for (;;) {
    const next = nextMicroversion(max);
    if (!keys.has(next.key)) break;
    max = introduced.find((v) => v.key === next.key) ?? next;
  }
  const ignored = introduced.filter((v) => v.key > max.key).sort((a, b) => a.key - b.key);
  if (ignored.length === 0) return { max };
  return { max, stoppedAt: { missing: nextMicroversion(max), ignored } };
}
