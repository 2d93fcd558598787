import { parseMicroversion, type Microversion } from './version';

export interface UpstreamVersionInfo {
  readonly min: Microversion;
  readonly max: Microversion;
}

/** Reads the upstream's range from its v2.1 version document (GET [prefix]/v2.1/). */
export async function fetchUpstreamVersions(upstream: URL, prefix: string, timeoutMs: number): Promise<UpstreamVersionInfo> {
  const url = new URL(`${prefix}/v2.1/`, upstream);
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  const doc = JSON.parse(text) as { version?: { version?: unknown; min_version?: unknown } };
  const max = typeof doc.version?.version === 'string' ? parseMicroversion(doc.version.version) : undefined;
  const min = typeof doc.version?.min_version === 'string' ? parseMicroversion(doc.version.min_version) : undefined;
  if (!max || !min) throw new Error(`GET ${url}: no "version"/"min_version" microversions in the answer`);
  return { min, max };
}

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Retries discovery with exponential backoff until it succeeds or the signal aborts. */
export async function discoverUpstreamVersions(
  upstream: URL,
  prefix: string,
  policy: RetryPolicy,
  onRetry: (error: Error, delayMs: number) => void,
  signal: AbortSignal,
): Promise<UpstreamVersionInfo | undefined> {
  let delay = policy.initialDelayMs;
  while (!signal.aborted) {
    try {
      return await fetchUpstreamVersions(upstream, prefix, 5000);
    } catch (err) {
      onRetry(err as Error, delay);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
