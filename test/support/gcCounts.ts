import { PerformanceObserver, constants } from 'node:perf_hooks';

/** Young (minor) and full (major) garbage collections of this process, counted from now on. */
export function watchGcCounts(): { readonly minor: number; readonly major: number } {
  const counts = { minor: 0, major: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major++;
    }
  }).observe({ entryTypes: ['gc'] });
  return counts;
}
