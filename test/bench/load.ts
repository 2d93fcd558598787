import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  /** 2xx answers per second over the round. */
  readonly rps: number;
  /** Latency percentiles of 2xx answers, milliseconds (sub-millisecond resolution). */
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  /** 2xx answers in the round. */
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly bytesPerSecond: number;
}

/** Growable float buffer of latencies, so a round records every answer without boxing. */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(values: readonly number[]): number {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One autocannon round: fixed connections, fixed duration, no pipelining. Latencies are taken
 * from autocannon's per-response event (float milliseconds) rather than its whole-ms histogram.
 */
export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const samples = new Samples();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url + o.path,
        connections: o.connections,
        duration: o.durationSeconds,
        pipelining: 1,
        headers: o.headers,
        timeout: 10,
      },
      (err, result) => {
        if (err) return reject(err);
        const sorted = samples.sorted();
        const ok = result['2xx'];
        const seconds = result.duration > 0 ? result.duration : o.durationSeconds;
        resolve({
          rps: ok / seconds,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          requests: result.requests.total,
          ok,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          bytesPerSecond: result.throughput.average,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
    });
  });
}

export interface FetchResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One plain request on a fresh connection, for sanity checks. */
export function fetchOnce(url: string, path: string, headers: Record<string, string>): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url + path, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout on ${url}${path}`)));
    req.on('error', reject);
  });
}
