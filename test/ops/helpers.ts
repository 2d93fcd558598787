import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { resolveConfig, type GatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { createLogger } from '../../gateway/observe/logger';
import type { RulesWatcherOptions } from '../../gateway/rulesWatcher';

/** One parsed pino line. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

export interface OpsGateway extends RunningGateway {
  readonly config: GatewayConfig;
  /** Every line the gateway logged, parsed, in order. */
  readonly logs: LogLine[];
}

/**
 * A gateway on ephemeral loopback ports whose log lines are captured (pino writing into an
 * in-memory stream), without process metrics. The rules directory is not watched unless
 * `watch` is given.
 */
export async function startOpsGateway(options: {
  upstream: string;
  rulesDir: string;
  flags?: Record<string, string>;
  watch?: RulesWatcherOptions;
  logLevel?: string;
}): Promise<OpsGateway> {
  const config = resolveConfig(
    {
      upstream: options.upstream,
      listen: '127.0.0.1:0',
      'admin-listen': '127.0.0.1:0',
      rules: options.rulesDir,
      'upstream-max-version': '2.38',
      'log-level': options.logLevel ?? 'info',
      'watch-rules': options.watch ? 'true' : 'false',
      ...options.flags,
    },
    {},
  );
  const logs: LogLine[] = [];
  let pending = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const gateway = await startGateway(config, {
    logger: createLogger(config.logLevel, sink),
    collectProcessMetrics: false,
    rulesWatch: options.watch,
  });
  await gateway.ready;
  return Object.assign(gateway, { config, logs });
}

/** A fresh temporary directory holding the given files (name → text). */
export function tempRulesDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mvgw-ops-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

export interface RuleSpec {
  id: string;
  methods?: string[];
  path: string;
  versions?: string;
  shadow?: boolean;
  serverActions?: string[];
  /** YAML flow text of the actions list, e.g. `[{ respond: { status: 404 } }]`. */
  actions: string;
}

/** A rule file introducing `microversion`, with the given rules. */
export function ruleFile(microversion: string, rules: RuleSpec[]): string {
  const lines = [`microversion: "${microversion}"`, `title: test rules for ${microversion}`, 'rules:'];
  for (const r of rules) {
    lines.push(`  - id: ${r.id}`);
    if (r.shadow) lines.push('    shadow: true');
    lines.push('    match:');
    lines.push(`      methods: [${(r.methods ?? ['GET']).join(', ')}]`);
    lines.push(`      path: ${r.path}`);
    lines.push(`      versions: "${r.versions ?? `>=${microversion}`}"`);
    if (r.serverActions) lines.push(`      serverActions: [${r.serverActions.join(', ')}]`);
    lines.push(`    actions: ${r.actions}`);
  }
  if (rules.length === 0) lines.push('  []');
  return lines.join('\n') + '\n';
}

/** Polls `check` every 10 ms until it returns a truthy value; fails with `what` after the timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP request over the given agent (default: a fresh connection, closed after). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent | false } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GET with a microversion, the usual test request. */
export function getAt(baseUrl: string, target: string, version?: string, agent?: http.Agent): Promise<SimpleResponse> {
  return send(baseUrl + target, { headers: version ? { 'OpenStack-API-Version': `compute ${version}` } : {}, agent });
}

export async function readyz(gw: RunningGateway): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await send(gw.adminUrl + '/readyz');
  return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
}

/** A scrape as `name{label="v",...}` (labels sorted by name) → value. */
export type Samples = Map<string, number>;

export function parseExposition(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    samples.set(sampleKey(m[1], parseLabels(m[2] ?? '')), Number(m[3]));
  }
  return samples;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return labels;
}

/** The key parseExposition gives a sample: labels sorted, so tests need not know their order. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const keys = Object.keys(labels).sort();
  if (!keys.length) return name;
  return `${name}{${keys.map((k) => `${k}="${labels[k]}"`).join(',')}}`;
}

export async function scrape(gw: RunningGateway): Promise<{ text: string; samples: Samples; contentType: string | undefined }> {
  const res = await send(gw.adminUrl + '/metrics');
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return { text: res.body, samples: parseExposition(res.body), contentType: res.headers['content-type'] };
}

/** Samples of one metric family (all label sets), as key → value. */
export function family(samples: Samples, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of samples) if (k === name || k.startsWith(name + '{')) out[k] = v;
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
