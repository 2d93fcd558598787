import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { trackChild, trackTempDir } from './procs';

export interface LoadOptions {
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly durationSeconds: number;
  /** CPU list for the load generator (taskset -c), when pinned. */
  readonly cpus?: string;
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

export type LoadGenerator = 'wrk' | 'autocannon';

/** wrk when installed (a C load generator costs the shared machine far less), else autocannon; BENCH_LOADGEN forces one. */
export function chooseLoadGenerator(): LoadGenerator {
  const forced = process.env.BENCH_LOADGEN;
  if (forced === 'wrk' || forced === 'autocannon') return forced;
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error ? 'autocannon' : 'wrk';
}

export function loadGeneratorVersion(generator: LoadGenerator): string {
  if (generator === 'autocannon') return `autocannon ${(require('autocannon/package.json') as { version: string }).version}`;
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return /wrk \S+/.exec(`${r.stdout}${r.stderr}`)?.[0] ?? 'wrk';
}

export function runLoad(generator: LoadGenerator, o: LoadOptions): Promise<LoadResult> {
  return generator === 'wrk' ? runWrk(o) : runAutocannon(o);
}

/** wrk's summary as one JSON line on stderr, from its `done` hook; latencies in µs. */
const WRK_REPORT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.stderr:write(string.format('{"requests":%d,"us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

let wrkScript: string | undefined;

function wrkScriptPath(): string {
  if (wrkScript) return wrkScript;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-wrk-'));
  trackTempDir(dir);
  wrkScript = path.join(dir, 'report.lua');
  writeFileSync(wrkScript, WRK_REPORT);
  return wrkScript;
}

interface WrkReport {
  requests: number;
  us: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p99: number;
}

/**
 * One wrk round: one thread, fixed connections and duration, keep-alive, no pipelining.
 * Latency percentiles are wrk's, over every answer (the bench checks that all are 2xx).
 */
function runWrk(o: LoadOptions): Promise<LoadResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.durationSeconds}s`, '--timeout', '10s', '-s', wrkScriptPath()];
  for (const [name, value] of Object.entries(o.headers)) args.push('-H', `${name}: ${value}`);
  args.push(o.url + o.path);
  const [command, argv] = o.cpus ? ['taskset', ['-c', o.cpus, 'wrk', ...args]] : ['wrk', args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    trackChild(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stderr.split('\n').find((l) => l.startsWith('{"requests"'));
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}: ${stderr.trim().slice(0, 300)}`));
      const r = JSON.parse(line) as WrkReport;
      const seconds = r.us / 1e6;
      const ok = r.requests - r.status;
      resolve({
        rps: ok / seconds,
        p50: r.p50 / 1000,
        p99: r.p99 / 1000,
        requests: r.requests,
        ok,
        non2xx: r.status,
        errors: r.connect + r.read + r.write,
        timeouts: r.timeout,
        bytesPerSecond: r.bytes / seconds,
      });
    });
  });
}

/**
 * One autocannon round: fixed connections, fixed duration, no pipelining. Latencies are taken
 * from autocannon's per-response event (float milliseconds) rather than its whole-ms histogram.
 */
function runAutocannon(o: LoadOptions): Promise<LoadResult> {
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
