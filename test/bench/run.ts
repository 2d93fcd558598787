/**
 * `npm run bench` (issue 7): throughput and latency of the gateway against raw proxies, in one
 * run, on loopback, against one upstream, with one load generator, in alternating rounds.
 *
 * Every server is its own child process (one core each at most): the fake Nova upstream, a bare
 * Express 5 + http-proxy-middleware proxy, a bare node:http + http-proxy proxy, nginx (when
 * installed), the gateway with the shipped rules and the gateway with 1,000 more rules. The
 * /limits scenarios have their own gateway and Express+hpm processes, so that every process
 * compared in a target ratio has served one route with the same history (V8's heap sizing
 * follows a process's history). This process only drives the load generator (wrk, or
 * autocannon). Rounds go A B C … A B C …; the first pass is a warm-up and is
 * discarded; medians over the measured rounds are reported, ratios are medians of per-round
 * ratios (neighbouring rounds share the machine's state, which matters on 2 shared cores).
 * Passes run in serpentine order (A B C … then … C B A) so that order effects cancel.
 *
 * Then the streaming check: 20 sequential 50 MB answers through a fresh gateway, its peak RSS
 * sampled from /proc/<pid>/status before and during.
 *
 * Environment: BENCH_CONNECTIONS (50), BENCH_DURATION (4 s), BENCH_WARMUP (3 s), BENCH_ROUNDS (5),
 * BENCH_ONLY (comma-separated scenario ids, run in that order), BENCH_NGINX (path, or "off"), BENCH_STREAMS (20),
 * BENCH_STREAM_MB (50), BENCH_LOADGEN (wrk when installed, else autocannon), BENCH_PIN ("on" to pin to CPUs), BENCH_RESULTS (results file; "-" to not write one), BENCH_STREAM_NODE_FLAGS (node
 * flags of the streaming children), BENCH_SERVER_NODE_FLAGS (node flags of the proxies under load), BENCH_GATEWAY_DIST (another build's dist/gateway, to measure a candidate).
 */
import http from 'node:http';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadRuleSet } from '../../gateway/rules/load';
import { GATEWAY_NODE_FLAGS } from '../../gateway/nodeFlags';
import { chooseLoadGenerator, fetchOnce, loadGeneratorVersion, median, runLoad, type LoadResult } from './load';
import { findNginx, installCleanup, pinToCpus, procCpuUs, procStatusKb, startNginx, startNodeChild, trackTempDir, type Child } from './procs';
import { limitsDocument, serverListDocument } from './upstream';
import { syntheticRulesDir } from './syntheticRules';
import { envNumber } from '../support/envNumber';

const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
const DURATION = envNumber('BENCH_DURATION', 4);
const WARMUP = envNumber('BENCH_WARMUP', 3);
const ROUNDS = envNumber('BENCH_ROUNDS', 5);
const STREAMS = envNumber('BENCH_STREAMS', 20);
const STREAM_MB = envNumber('BENCH_STREAM_MB', 50);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const REPO = path.resolve(__dirname, '../../..');
const SHIPPED_RULES = path.join(REPO, 'rules');
const RESULTS = process.env.BENCH_RESULTS ?? path.join(REPO, 'test/bench/results.md');

/**
 * BENCH_PIN=on (two or more CPUs, taskset): the server under test alone on CPU 0; the upstream,
 * the load generator and this runner on CPU 1, so that req/s is one core's worth. Off by
 * default: on this shared two-core machine it did not make the ratios steadier.
 */
const PIN = process.env.BENCH_PIN === 'on' && os.cpus().length >= 2 && !spawnSync('taskset', ['-V']).error;
const SERVER_CPU = '0';
const LOAD_CPU = '1';
const LOADGEN = chooseLoadGenerator();
/** Node flags of the proxies under load (not the upstream), e.g. --trace-gc to diagnose. */
const SERVER_NODE_FLAGS = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);

const SERVERS_PATH = '/v2.1/servers/detail';
const LIMITS_PATH = '/v2.1/limits';
const headersAt = (version: string): Record<string, string> => ({
  'OpenStack-API-Version': `compute ${version}`,
  'X-Auth-Token': 'bench:bench',
  Accept: 'application/json',
});

type ServerName = 'upstream' | 'express-hpm' | 'express-hpm-limits' | 'express-hpm-flagged' | 'http-proxy' | 'nginx' | 'gateway' | 'gateway-limits' | 'gateway-1000';

interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly server: ServerName;
  readonly path: string;
  readonly version: string;
  /** Checks one answer before any load; throws on a wrong answer. */
  readonly check: (status: number, headers: http.IncomingHttpHeaders, body: Buffer) => void;
}

const SERVERS_BODY = Buffer.from(serverListDocument());
const LIMITS_BODY = Buffer.from(limitsDocument());

function expectBody(expected: Buffer, versionHeader?: string) {
  return (status: number, headers: http.IncomingHttpHeaders, body: Buffer) => {
    if (status !== 200) throw new Error(`status ${status}: ${body.toString().slice(0, 200)}`);
    if (!body.equals(expected)) throw new Error(`body differs from the upstream's (${body.length} vs ${expected.length} bytes)`);
    if (versionHeader && headers['openstack-api-version'] !== versionHeader) {
      throw new Error(`OpenStack-API-Version is ${headers['openstack-api-version']}, expected ${versionHeader}`);
    }
  };
}

function expectLimitsWithoutImageMeta(status: number, headers: http.IncomingHttpHeaders, body: Buffer): void {
  if (status !== 200) throw new Error(`status ${status}: ${body.toString().slice(0, 200)}`);
  const doc = JSON.parse(body.toString()) as { limits: { absolute: Record<string, number> } };
  if ('maxImageMeta' in doc.limits.absolute) throw new Error('maxImageMeta still present at 2.39');
  if (!('maxServerMeta' in doc.limits.absolute)) throw new Error('maxServerMeta missing');
  if (headers['openstack-api-version'] !== 'compute 2.39') throw new Error(`OpenStack-API-Version is ${headers['openstack-api-version']}`);
  if (!body.toString().includes('"maxPersonality": 5, "maxPersonalitySize"')) throw new Error("Nova's separators were not kept");
}

const SCENARIOS: readonly Scenario[] = [
  { id: 'upstream', label: 'upstream direct (servers/detail)', server: 'upstream', path: SERVERS_PATH, version: '2.39', check: expectBody(SERVERS_BODY) },
  { id: 'hpm', label: 'bare Express 5 + hpm (servers/detail)', server: 'express-hpm', path: SERVERS_PATH, version: '2.39', check: expectBody(SERVERS_BODY) },
  { id: 'hpm-flagged', label: "bare Express 5 + hpm with the gateway's node flags (servers/detail)", server: 'express-hpm-flagged', path: SERVERS_PATH, version: '2.39', check: expectBody(SERVERS_BODY) },
  { id: 'http-proxy', label: 'bare node:http + http-proxy (servers/detail)', server: 'http-proxy', path: SERVERS_PATH, version: '2.39', check: expectBody(SERVERS_BODY) },
  { id: 'nginx', label: 'nginx 1 worker, keepalive (servers/detail)', server: 'nginx', path: SERVERS_PATH, version: '2.39', check: expectBody(SERVERS_BODY) },
  { id: 'gw', label: 'gateway, shipped rules (servers/detail @2.39)', server: 'gateway', path: SERVERS_PATH, version: '2.39', check: expectBody(SERVERS_BODY, 'compute 2.39') },
  { id: 'gw-1000', label: 'gateway, +1,000 rules (servers/detail @2.39)', server: 'gateway-1000', path: SERVERS_PATH, version: '2.39', check: expectBody(SERVERS_BODY, 'compute 2.39') },
  { id: 'gw-limits-2.38', label: 'gateway, /limits @2.38 (pass-through)', server: 'gateway-limits', path: LIMITS_PATH, version: '2.38', check: expectBody(LIMITS_BODY, 'compute 2.38') },
  { id: 'gw-limits-2.39', label: 'gateway, /limits @2.39 (rewritten)', server: 'gateway-limits', path: LIMITS_PATH, version: '2.39', check: expectLimitsWithoutImageMeta },
  { id: 'hpm-limits', label: 'bare Express 5 + hpm (/limits)', server: 'express-hpm-limits', path: LIMITS_PATH, version: '2.39', check: expectBody(LIMITS_BODY) },
];

interface Target {
  readonly name: string;
  readonly num: string;
  readonly den: string;
  readonly min: number;
  readonly aim?: number;
  /** Also require the numerator's p99 to be no worse than the denominator's. */
  readonly p99NoWorse?: boolean;
}

const TARGETS: readonly Target[] = [
  { name: 'gateway (shipped) / bare Express+hpm, req/s', num: 'gw', den: 'hpm', min: 1.3, aim: 1.5, p99NoWorse: true },
  { name: 'gateway +1,000 rules / shipped, req/s', num: 'gw-1000', den: 'gw', min: 0.95 },
  { name: '/limits rewritten @2.39 / pass-through @2.38, req/s', num: 'gw-limits-2.39', den: 'gw-limits-2.38', min: 0.8 },
];

const INFO_RATIOS: readonly { name: string; num: string; den: string }[] = [
  { name: 'gateway / bare node:http + http-proxy', num: 'gw', den: 'http-proxy' },
  { name: 'gateway / nginx', num: 'gw', den: 'nginx' },
  { name: "gateway / bare Express+hpm given the gateway's node flags", num: 'gw', den: 'hpm-flagged' },
  { name: 'bare Express+hpm / bare node:http + http-proxy', num: 'hpm', den: 'http-proxy' },
  { name: 'gateway /limits @2.38 / bare Express+hpm /limits', num: 'gw-limits-2.38', den: 'hpm-limits' },
];

const STREAM_TARGET_MB = 30;

function log(line: string): void {
  process.stdout.write(line + '\n');
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** The commit measured, and whether gateway/ or rules/ had uncommitted changes. */
function gitState(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD').stdout?.trim();
  if (!head) return 'unknown (not a git checkout)';
  const dirty = git('status', '--porcelain', '--', 'gateway', 'rules').stdout?.trim().split('\n').filter(Boolean).length ?? 0;
  return dirty ? `${head} + ${dirty} uncommitted file(s) under gateway/ or rules/` : head;
}

/** nginx -v prints on stderr. */
function nginxVersion(binary: string): string {
  const r = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().replace(/^nginx version:\s*/, '') || 'nginx';
}

interface Round extends LoadResult {
  /** CPU time of the server under test per 2xx answer, µs (robust to CPU contention). */
  readonly cpuUsPerReq: number;
}

interface Measured {
  readonly scenario: Scenario;
  readonly rounds: Round[];
}

async function main(): Promise<void> {
  installCleanup();
  const started = Date.now();
  const loadBefore = os.loadavg();
  // BENCH_ONLY keeps the listed scenarios, in the order listed.
  const selected = ONLY ? [...ONLY].map((id) => SCENARIOS.find((s) => s.id === id)).filter((s): s is Scenario => s !== undefined) : [...SCENARIOS];

  const shipped = readdirSync(SHIPPED_RULES).filter((n) => /\.(ya?ml|json)$/.test(n) && !n.endsWith('.schema.json'));
  if (!shipped.some((n) => n.startsWith('2.39'))) throw new Error(`no rule file for 2.39 in ${SHIPPED_RULES} (found: ${shipped.join(', ') || 'none'})`);

  // The 1,000-rule set: generated, then loaded here once to prove it is valid.
  const bigRules = syntheticRulesDir(SHIPPED_RULES, 1000);
  trackTempDir(bigRules);
  const big = await loadRuleSet(bigRules);
  if (!big.ok) throw new Error(`synthetic rule set does not load:\n${big.errors.map((e) => e.text).join('\n')}`);
  const shippedSet = await loadRuleSet(SHIPPED_RULES);
  if (!shippedSet.ok) throw new Error(`shipped rules do not load:\n${shippedSet.errors.map((e) => e.text).join('\n')}`);
  log(`rules: shipped ${shippedSet.ruleSet.rules.length}, synthetic set ${big.ruleSet.rules.length} (${bigRules})`);

  const needed = new Set(selected.map((s) => s.server));
  const servers = new Map<ServerName, Child>();
  const upstream = await startNodeChild('upstream', ['upstream']);
  servers.set('upstream', upstream);
  if (needed.has('express-hpm')) servers.set('express-hpm', await startNodeChild('express-hpm', ['express-hpm', upstream.url], SERVER_NODE_FLAGS));
  if (needed.has('express-hpm-limits')) servers.set('express-hpm-limits', await startNodeChild('express-hpm-limits', ['express-hpm', upstream.url], SERVER_NODE_FLAGS));
  if (needed.has('express-hpm-flagged')) servers.set('express-hpm-flagged', await startNodeChild('express-hpm-flagged', ['express-hpm', upstream.url], [...GATEWAY_NODE_FLAGS, ...SERVER_NODE_FLAGS]));
  if (needed.has('http-proxy')) servers.set('http-proxy', await startNodeChild('http-proxy', ['http-proxy', upstream.url], SERVER_NODE_FLAGS));
  let nginxNote = 'not selected';
  if (needed.has('nginx')) {
    const binary = findNginx();
    if (!binary) {
      nginxNote = 'skipped: no nginx binary found, or BENCH_NGINX=off (apt-get install -y nginx to include it)';
    } else {
      try {
        servers.set('nginx', await startNginx(binary, upstream.url, CONNECTIONS));
        nginxNote = nginxVersion(binary);
      } catch (err) {
        nginxNote = `skipped: nginx did not start (${(err as Error).message})`;
      }
    }
  }
  if (needed.has('gateway')) servers.set('gateway', await startNodeChild('gateway', ['gateway', upstream.url, SHIPPED_RULES], [...GATEWAY_NODE_FLAGS, ...SERVER_NODE_FLAGS]));
  if (needed.has('gateway-limits')) servers.set('gateway-limits', await startNodeChild('gateway-limits', ['gateway', upstream.url, SHIPPED_RULES], [...GATEWAY_NODE_FLAGS, ...SERVER_NODE_FLAGS]));
  if (needed.has('gateway-1000')) servers.set('gateway-1000', await startNodeChild('gateway-1000', ['gateway', upstream.url, bigRules], [...GATEWAY_NODE_FLAGS, ...SERVER_NODE_FLAGS]));
  const scenarios = selected.filter((s) => servers.has(s.server));
  if (!servers.has('nginx') && needed.has('nginx')) log(`nginx: ${nginxNote}`);
  if (PIN) {
    pinToCpus(process.pid, LOAD_CPU);
    for (const [name, child] of servers) pinToCpus(child.pid, name === 'upstream' ? LOAD_CPU : SERVER_CPU);
  }
  log(`load generator: ${loadGeneratorVersion(LOADGEN)}; ${PIN ? `pinned: servers under test on CPU ${SERVER_CPU}, upstream + load generator + runner on CPU ${LOAD_CPU}` : 'not pinned'}`);

  for (const s of scenarios) {
    const server = servers.get(s.server)!;
    const r = await fetchOnce(server.url, s.path, headersAt(s.version));
    try {
      s.check(r.status, r.headers, r.body);
    } catch (err) {
      throw new Error(`sanity check of "${s.label}" failed: ${(err as Error).message}`);
    }
  }
  log(`sanity checks passed for ${scenarios.length} scenarios; ${CONNECTIONS} connections, ${WARMUP} s warm-up pass, ${ROUNDS} × ${DURATION} s rounds`);

  const measured = new Map<string, Measured>(scenarios.map((s) => [s.id, { scenario: s, rounds: [] }]));
  for (let round = 0; round <= ROUNDS; round++) {
    const warm = round === 0;
    // Serpentine: A B C … in odd passes, … C B A in even ones, so that no scenario always
    // follows the same neighbour (order effects cancel between passes).
    const order = round % 2 === 1 ? scenarios : [...scenarios].reverse();
    for (const s of order) {
      const server = servers.get(s.server)!;
      const cpuBefore = procCpuUs(server.pid);
      const load = await runLoad(LOADGEN, {
        cpus: PIN ? LOAD_CPU : undefined,
        url: server.url,
        path: s.path,
        headers: headersAt(s.version),
        connections: CONNECTIONS,
        durationSeconds: warm ? WARMUP : DURATION,
      });
      const result: Round = { ...load, cpuUsPerReq: (procCpuUs(server.pid) - cpuBefore) / load.ok };
      const flag = result.non2xx || result.errors || result.timeouts ? `  (!) non2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}` : '';
      log(`${warm ? 'warm-up' : `round ${round}`}  ${s.id.padEnd(16)} ${fmt(result.rps, 0).padStart(7)} req/s  p50 ${fmt(result.p50, 2)} ms  p99 ${fmt(result.p99, 2)} ms  cpu ${fmt(result.cpuUsPerReq, 0)} µs/req${flag}`);
      if (!warm) measured.get(s.id)!.rounds.push(result);
      await pause(250);
    }
  }

  const streaming = await streamingCheck('gateway', ['gateway', upstream.url, SHIPPED_RULES], GATEWAY_NODE_FLAGS);
  const streamingRef = await streamingCheck('express-hpm', ['express-hpm', upstream.url], []);
  const loadAfter = os.loadavg();

  for (const child of [...servers.values()].reverse()) await child.stop();

  const report = renderReport(measured, streaming, streamingRef, {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpuModel()} × ${os.cpus().length}`,
    nginx: nginxNote,
    loadBefore,
    loadAfter,
    seconds: (Date.now() - started) / 1000,
    rules: `${shippedSet.ruleSet.rules.length} shipped; ${big.ruleSet.rules.length} with the synthetic set`,
    git: gitState(),
  });
  log('');
  log(report.text);
  if (RESULTS !== '-' && !ONLY) {
    writeFileSync(RESULTS, report.markdown);
    log(`written ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

// ---------------------------------------------------------------------------------------
// Streaming check

interface StreamingResult {
  readonly count: number;
  readonly mb: number;
  readonly seconds: number;
  readonly rssBeforeKb: number;
  readonly hwmBeforeKb: number;
  readonly peakDuringKb: number;
  readonly raiseKb: number;
  /** Peak minus the RSS after the first answer: what 19 more answers added. */
  readonly growthAfterFirstKb: number;
  readonly ok: boolean;
  readonly error?: string;
}

function streamOnce(url: string, agent: http.Agent, expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(url + `/v2.1/bench/stream?mb=${STREAM_MB}`, { agent, headers: headersAt('2.39') }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => (got += c.length));
      res.on('end', () => (got === expected && res.statusCode === 200 ? resolve() : reject(new Error(`stream: status ${res.statusCode}, ${got} of ${expected} bytes`))));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('stream timed out')));
    req.on('error', reject);
  });
}

/** 20 sequential 50 MB answers through a fresh gateway child; its RSS polled every 20 ms. */
async function streamingCheck(name: string, args: string[], nodeFlags: readonly string[]): Promise<StreamingResult> {
  const flags = [...nodeFlags, ...(process.env.BENCH_STREAM_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
  const gw = await startNodeChild(name, args, flags);
  if (PIN) pinToCpus(gw.pid, SERVER_CPU);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // Warm the path (JIT, buffers, sockets) before the baseline is taken.
    for (let i = 0; i < 50; i++) await fetchOnce(gw.url, SERVERS_PATH, headersAt('2.39'));
    await new Promise<void>((resolve, reject) => {
      http.get(gw.url + '/v2.1/bench/stream?mb=2', { agent, headers: headersAt('2.39') }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    await pause(300);
    const before = procStatusKb(gw.pid);
    let polledMax = before.rss;
    let afterFirst = before.rss;
    const poll = setInterval(() => {
      try {
        polledMax = Math.max(polledMax, procStatusKb(gw.pid).rss);
      } catch {
        /* child gone: reported by the stream failing */
      }
    }, 20);
    const t0 = performance.now();
    let error: string | undefined;
    try {
      for (let i = 0; i < STREAMS; i++) {
        await streamOnce(gw.url, agent, STREAM_MB * 1024 * 1024);
        if (i === 0) afterFirst = Math.max(polledMax, procStatusKb(gw.pid).rss);
      }
    } catch (err) {
      error = (err as Error).message;
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(poll);
    const after = procStatusKb(gw.pid);
    const peak = Math.max(polledMax, after.hwm > before.hwm ? after.hwm : polledMax);
    const raise = peak - before.rss;
    log(`streaming through ${name}: ${STREAMS} × ${STREAM_MB} MB in ${seconds.toFixed(1)} s; RSS before ${kb(before.rss)}, peak ${kb(peak)}, raise ${kb(raise)}, growth after the first answer ${kb(peak - afterFirst)}${error ? `; FAILED: ${error}` : ''}`);
    return {
      count: STREAMS, mb: STREAM_MB, seconds, rssBeforeKb: before.rss, hwmBeforeKb: before.hwm, peakDuringKb: peak, raiseKb: raise,
      growthAfterFirstKb: peak - afterFirst,
      ok: !error && raise < STREAM_TARGET_MB * 1024, error,
    };
  } finally {
    agent.destroy();
    await gw.stop();
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------
// Report

interface RunInfo {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly nginx: string;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly seconds: number;
  readonly rules: string;
  readonly git: string;
}

function perRoundRatio(a: Measured | undefined, b: Measured | undefined, pick: (r: Round) => number): { median: number; rounds: number[] } {
  if (!a || !b) return { median: NaN, rounds: [] };
  const rounds = a.rounds.map((r, i) => pick(r) / pick(b.rounds[i]));
  return { median: median(rounds), rounds };
}

function renderReport(measured: Map<string, Measured>, streaming: StreamingResult, streamingRef: StreamingResult, info: RunInfo): { text: string; markdown: string } {
  const rows: string[][] = [];
  for (const m of measured.values()) {
    const rps = m.rounds.map((r) => r.rps);
    const bad = m.rounds.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
    rows.push([
      m.scenario.id,
      m.scenario.label,
      fmt(median(rps), 0),
      fmt(median(m.rounds.map((r) => r.p50)), 2),
      fmt(median(m.rounds.map((r) => r.p99)), 2),
      fmt(median(m.rounds.map((r) => r.cpuUsPerReq)), 0),
      rps.map((v) => fmt(v, 0)).join(' / '),
      String(bad),
    ]);
  }
  const header = ['id', 'scenario', 'req/s (median)', 'p50 ms', 'p99 ms', 'CPU µs/req', 'req/s per round', 'non-2xx/errors'];

  const targetRows: string[][] = [];
  let allPass = true;
  for (const t of TARGETS) {
    const a = measured.get(t.num);
    const b = measured.get(t.den);
    const rps = perRoundRatio(a, b, (r) => r.rps);
    let pass = rps.median >= t.min;
    const eff = perRoundRatio(b, a, (r) => r.cpuUsPerReq);
    let detail = `per round ${rps.rounds.map((v) => fmt(v, 2)).join(' / ')}; requests per CPU-second ${fmt(eff.median, 2)}×`;
    if (t.p99NoWorse && a && b) {
      const p99a = median(a.rounds.map((r) => r.p99));
      const p99b = median(b.rounds.map((r) => r.p99));
      detail += `; p99 ${fmt(p99a, 2)} vs ${fmt(p99b, 2)} ms`;
      pass = pass && p99a <= p99b;
    }
    const verdict = Number.isFinite(rps.median) ? (pass ? 'PASS' : 'FAIL') : 'n/a';
    if (verdict === 'FAIL') allPass = false;
    targetRows.push([t.name, `${fmt(rps.median, 2)}×`, `≥ ${t.min}×${t.aim ? ` (aim ${t.aim}×)` : ''}${t.p99NoWorse ? ', p99 no worse' : ''}`, verdict, detail]);
  }
  const streamVerdict = streaming.ok ? 'PASS' : 'FAIL';
  if (!streaming.ok) allPass = false;
  targetRows.push([
    `streaming: ${streaming.count} × ${streaming.mb} MB, gateway peak RSS raise`,
    kb(streaming.raiseKb),
    `< ${STREAM_TARGET_MB} MB`,
    streamVerdict,
    `RSS before ${kb(streaming.rssBeforeKb)}, peak ${kb(streaming.peakDuringKb)}, growth after the first answer ${kb(streaming.growthAfterFirstKb)}, ${(streaming.count * streaming.mb / streaming.seconds).toFixed(0)} MB/s${streaming.error ? `; error: ${streaming.error}` : ''}`,
  ]);
  const streamRef = `reference, bare Express+hpm: raise ${kb(streamingRef.raiseKb)} (RSS before ${kb(streamingRef.rssBeforeKb)}, peak ${kb(streamingRef.peakDuringKb)}, growth after the first answer ${kb(streamingRef.growthAfterFirstKb)}, ${(streamingRef.count * streamingRef.mb / streamingRef.seconds).toFixed(0)} MB/s)`;
  const infoRows = INFO_RATIOS.map((r) => {
    const x = perRoundRatio(measured.get(r.num), measured.get(r.den), (v) => v.rps);
    return [r.name, `${fmt(x.median, 2)}×`, x.rounds.map((v) => fmt(v, 2)).join(' / ')];
  }).filter((r) => !r[1].startsWith('n/a'));

  const meta = [
    ['date', info.date],
    ['commit', info.git],
    ['node', info.node],
    ['CPU', info.cpu],
    ['rounds', `${ROUNDS} measured × ${DURATION} s per scenario, alternating (serpentine: A B C … then … C B A), after one ${WARMUP} s warm-up pass (discarded)`],
    ['connections', `${CONNECTIONS} (${loadGeneratorVersion(LOADGEN)}${LOADGEN === 'wrk' ? ', one thread' : ''}, keep-alive, no pipelining), loopback only`],
    ['CPU pinning', PIN ? `server under test alone on CPU ${SERVER_CPU}; upstream, load generator and runner on CPU ${LOAD_CPU} (taskset -a); req/s is one core's worth` : 'none (BENCH_PIN=on pins them)'],
    ['nginx', info.nginx],
    ['rules', info.rules],
    ...(process.env.BENCH_GATEWAY_DIST ? [['gateway build', `BENCH_GATEWAY_DIST=${process.env.BENCH_GATEWAY_DIST}`]] : []),
    ['load average', `${info.loadBefore.map((v) => v.toFixed(2)).join(' ')} before, ${info.loadAfter.map((v) => v.toFixed(2)).join(' ')} after`],
    ['duration', `${info.seconds.toFixed(0)} s`],
  ];

  const text = [
    table(header, rows),
    '',
    table(['target', 'value', 'threshold', 'verdict', 'detail'], targetRows),
    '',
    table(['other ratio (req/s)', 'value', 'per round'], infoRows),
    '',
    `streaming ${streamRef}`,
    '',
    meta.map(([k, v]) => `${k}: ${v}`).join('\n'),
    '',
    allPass ? 'all targets PASS' : 'some targets FAIL',
  ].join('\n');

  const markdown = [
    '# Benchmark results (`npm run bench`)',
    '',
    'Generated by `test/bench/run.ts`; see `test/bench/PROFILE.md` for where the gateway spends its time.',
    '',
    ...meta.map(([k, v]) => `- **${k}**: ${v}`),
    '',
    '## Throughput and latency',
    '',
    mdTable(header, rows),
    '',
    '## Targets',
    '',
    'Ratios are medians of per-round ratios (each pair measured seconds apart in the same pass).',
    '',
    mdTable(['target', 'value', 'threshold', 'verdict', 'detail'], targetRows),
    '',
    `Streaming ${streamRef}.`,
    '',
    '## Other ratios',
    '',
    mdTable(['ratio (req/s)', 'value', 'per round'], infoRows),
    '',
    '## Set-up',
    '',
    '- Upstream: a fake Nova (own process) answering a ' + LIMITS_BODY.length + ' B `/v2.1/limits` and a ' + SERVERS_BODY.length +
      ' B `/v2.1/servers/detail` in Nova\'s compact JSON style, echoing `OpenStack-API-Version`, `X-OpenStack-Nova-API-Version` and two `Vary` lines; `GET /v2.1/` reports 2.38.',
    '- Each proxy is one process: bare Express 5 + http-proxy-middleware 3.0 (`createProxyMiddleware({ target, agent: new http.Agent({ keepAlive: true }) })`), bare node:http + http-proxy (keep-alive agent), nginx (`master_process off`, one process; upstream `keepalive`, `keepalive_requests` raised on both sides), the gateway with the shipped rules, and the gateway with 1,000 synthetic rules (ten files 2.40–2.49; none applies to the measured route, many share its trie nodes). The gateways run with the node flags `npm start` and the image use (`' + GATEWAY_NODE_FLAGS.join(' ') + '`); the bare proxies with none, as written by hand, and once more with the same flags for comparison.',
    '- Every request carries `OpenStack-API-Version: compute <version>`; the gateway forwards 2.39 requests at 2.38 and rewrites the version headers back.',
    '- Streaming: ' + streaming.count + ' sequential ' + streaming.mb + ' MB answers through a fresh gateway process; RSS polled every 20 ms from `/proc/<pid>/status` (and VmHWM), raise = peak − RSS before.',
    '',
  ].join('\n');
  return { text, markdown };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
