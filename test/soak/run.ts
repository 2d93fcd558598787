/**
 * `npm run soak` (issue "Hardening", part 6): sustained mixed traffic at a fixed rate through the
 * built gateway running as its own process, with client aborts and upstream resets, while its
 * resident memory (/proc/<pid>/status VmRSS) and open file descriptors (/proc/<pid>/fd) are sampled
 * every second. Both must come back near their baseline once the traffic stops.
 *
 *   warm-up (SOAK_WARMUP s of the same traffic) → idle, idle keep-alives closed → baseline
 *   soak (SOAK_DURATION s at SOAK_RATE req/s)   → peak
 *   drain, idle keep-alives closed, idle         → end
 *
 * The fake Nova upstream (max 2.38) and the fake Image service run in this process; the gateway is
 * spawned as `node dist/gateway/cli.js serve ...` on ephemeral loopback ports with the shipped
 * rules. Everything is bounded: a watchdog ends the run (and the child, by pid) if it overruns.
 *
 * Environment: SOAK_DURATION (60), SOAK_RATE (300), SOAK_WARMUP (5), SOAK_IDLE (8),
 * SOAK_MAX_RSS_GROWTH_MB (48), SOAK_MAX_FD_GROWTH (4). Exit code 0 = pass, 1 = fail, 2 = aborted.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { GATEWAY_NODE_FLAGS } from '../../gateway/nodeFlags';
import { envNumber } from '../support/envNumber';

const DURATION_S = envNumber('SOAK_DURATION', 60);
const RATE = envNumber('SOAK_RATE', 300);
const WARMUP_S = envNumber('SOAK_WARMUP', 5);
const IDLE_S = envNumber('SOAK_IDLE', 8);
const MAX_RSS_GROWTH_MB = envNumber('SOAK_MAX_RSS_GROWTH_MB', 48);
const MAX_FD_GROWTH = envNumber('SOAK_MAX_FD_GROWTH', 4);
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_IN_FLIGHT = 2_000;

const CLI = path.resolve(__dirname, '../../gateway/cli.js');
const RULES = path.resolve(__dirname, '../../../rules');

// ---------------------------------------------------------------------------------------------
// Fake upstream (Nova, max 2.38) and fake Image service.

const LIMITS = JSON.stringify({
  limits: {
    rate: [],
    absolute: {
      maxImageMeta: 128, maxPersonality: 5, maxPersonalitySize: 10240, maxServerGroupMembers: 10, maxServerGroups: 10,
      maxServerMeta: 128, maxTotalCores: 20, maxTotalInstances: 10, maxTotalKeypairs: 100, maxTotalRAMSize: 51200,
      totalCoresUsed: 0, totalInstancesUsed: 0, totalRAMUsed: 0, totalServerGroupsUsed: 0,
    },
  },
});
const SERVERS = JSON.stringify({
  servers: Array.from({ length: 8 }, (_, i) => ({
    id: randomUUID(), name: `server-${i}`, status: 'ACTIVE', tenant_id: 'c0ffee00', user_id: 'soak',
    metadata: { role: 'soak' }, links: [{ rel: 'self', href: `http://nova.invalid/v2.1/servers/${i}` }],
  })),
});

function versionHeaders(req: http.IncomingMessage): Record<string, string> {
  const v = String(req.headers['x-openstack-nova-api-version'] ?? '2.1');
  return { 'OpenStack-API-Version': `compute ${v}`, 'X-OpenStack-Nova-API-Version': v };
}

function json(res: http.ServerResponse, req: http.IncomingMessage, status: number, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...versionHeaders(req), ...extra });
  res.end(body);
}

function startUpstream(imageUrl: () => string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/v2.1/servers/reset-before-headers')) return void req.socket.destroy();
      if (url.startsWith('/v2.1/servers/reset-mid-body') || url.startsWith('/v2.1/limits?reset-mid-body')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 4096, ...versionHeaders(req) });
        res.write('{"partial": ');
        return void setTimeout(() => req.socket.destroy(), 5);
      }
      if (url.startsWith('/v2.1/servers/slow')) {
        const t = setTimeout(() => json(res, req, 200, SERVERS), 300);
        return void res.once('close', () => clearTimeout(t));
      }
      if (url.startsWith('/v2.1/limits')) return json(res, req, 200, LIMITS);
      if (url.startsWith('/v2.1/servers/detail')) return json(res, req, 200, SERVERS);
      if (req.method === 'POST' && url.endsWith('/action')) {
        res.writeHead(202, { Location: `${imageUrl()}/images/${randomUUID()}`, 'Content-Length': 0, ...versionHeaders(req) });
        return void res.end();
      }
      if (req.method === 'POST' && url === '/v2.1/servers') return json(res, req, 202, '{"server": {"id": "new"}}');
      if (url.includes('/metadata')) return json(res, req, 200, '{"metadata": {"kernel_id": "nokernel"}}');
      json(res, req, 404, '{"itemNotFound": {"code": 404, "message": "not in the fake"}}');
    });
  });
  server.keepAliveTimeout = 65_000;
  return listen(server);
}

function startGlance(counts: { patches: number; deletes: number }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'PATCH') counts.patches++;
      if (req.method === 'DELETE') counts.deletes++;
      res.writeHead(req.method === 'DELETE' ? 204 : 200, { 'Content-Type': 'application/json' });
      res.end(req.method === 'DELETE' ? undefined : '{}');
    });
  });
  return listen(server);
}

function listen(server: http.Server): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const urlOf = (s: http.Server) => `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`;

// ---------------------------------------------------------------------------------------------
// The gateway child, by pid only.

interface Gateway {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly logLines: { total: number; warnings: number; errors: number };
}

let child: ChildProcess | undefined;

async function startGateway(upstream: string, imageService: string): Promise<Gateway> {
  const args = [
    ...GATEWAY_NODE_FLAGS, CLI, 'serve', '--upstream', upstream, '--image-service', imageService, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
    '--rules', RULES, '--upstream-max-version', '2.38', '--watch-rules', 'false', '--upstream-timeout', '10', '--log-level', 'info',
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  child = proc;
  const logLines = { total: 0, warnings: 0, errors: 0 };
  const stderr: string[] = [];
  proc.stderr!.on('data', (d) => stderr.push(String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway not listening within 20 s')), 20_000);
    proc.once('exit', (code, signal) => reject(new Error(`gateway exited (${code ?? signal}) before listening: ${stderr.join('')}`)));
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      logLines.total++;
      let entry: { level?: number | string; msg?: string; proxyUrl?: string; adminUrl?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      // pino levels as numbers (40 warn, 50 error) or as words, whichever the logger writes.
      const level = typeof entry.level === 'number' ? entry.level : ({ warn: 40, error: 50, fatal: 60 } as Record<string, number>)[entry.level ?? ''] ?? 0;
      if (level >= 50) logLines.errors++;
      else if (level >= 40) logLines.warnings++;
      if (entry.msg === 'gateway listening' && entry.proxyUrl && entry.adminUrl) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve({ proc, pid: proc.pid!, proxyUrl: entry.proxyUrl, adminUrl: entry.adminUrl, logLines });
      }
    });
  });
}

async function stopChild(graceMs = 5000): Promise<void> {
  const proc = child;
  if (!proc || proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  process.kill(proc.pid, 'SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!killed) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await Promise.race([exited, sleep(2000)]);
  }
}

// ---------------------------------------------------------------------------------------------
// Sampling.

interface Sample {
  readonly t: number;
  readonly rssMb: number;
  readonly fds: number;
}

function sample(pid: number, t0: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return { t: Math.round((Date.now() - t0) / 1000), rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

// ---------------------------------------------------------------------------------------------
// Traffic.

type Outcome = string;

interface Kind {
  readonly name: string;
  readonly weight: number;
  /** Outcomes that are correct for this kind. */
  readonly expected: readonly Outcome[];
  send(base: string, agent: http.Agent): Promise<Outcome>;
}

const META = '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b/metadata';
const ACTION = '/v2.1/servers/9168b536-cd40-4630-b43f-b259807c6e87/action';
const V = (v: string) => ({ 'OpenStack-API-Version': `compute ${v}`, 'X-Auth-Token': 'soak:c0ffee00' });

function call(base: string, agent: http.Agent, method: string, target: string, headers: Record<string, string>, body?: string, inspect?: (status: number, body: string) => Outcome): Promise<Outcome> {
  return new Promise((resolve) => {
    const url = new URL(base);
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, agent, headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(inspect ? inspect(res.statusCode ?? 0, Buffer.concat(chunks).toString()) : String(res.statusCode)));
      res.on('error', () => resolve('cut'));
      res.on('aborted', () => resolve('cut'));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      req.destroy();
      resolve('client-timeout');
    });
    req.on('error', () => resolve('cut'));
    req.end(body);
  });
}

/** A request the client abandons mid-flight: after `afterMs`, or after half its body. */
function abandon(base: string, method: string, target: string, headers: Record<string, string>, afterMs: number, halfBody?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const url = new URL(base);
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, agent: false, headers: halfBody === undefined ? headers : { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(halfBody) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(`completed ${res.statusCode}`));
      res.on('error', () => resolve('aborted'));
      res.on('aborted', () => resolve('aborted'));
    });
    req.on('error', () => resolve('aborted'));
    if (halfBody !== undefined) req.write(halfBody.slice(0, Math.floor(halfBody.length / 2)));
    else req.end();
    setTimeout(() => req.destroy(), afterMs);
  });
}

const createImage = () => JSON.stringify({ createImage: { name: 'soak', metadata: { a: '1', b: '2', c: '3' } } });

const KINDS: readonly Kind[] = [
  { name: 'pass-through GET /servers/detail', weight: 22, expected: ['200'], send: (b, a) => call(b, a, 'GET', '/v2.1/servers/detail', V('2.38')) },
  { name: 'pass-through POST /servers', weight: 5, expected: ['202'], send: (b, a) => call(b, a, 'POST', '/v2.1/servers', V('2.39'), '{"server": {"name": "x", "imageRef": "y", "flavorRef": "1"}}') },
  {
    name: 'rewritten GET /limits at 2.39', weight: 18, expected: ['200 without maxImageMeta'],
    send: (b, a) => call(b, a, 'GET', '/v2.1/limits', V('2.39'), undefined, (s, body) => `${s} ${body.includes('maxImageMeta') ? 'with' : 'without'} maxImageMeta`),
  },
  {
    name: 'GET /limits at 2.38 (kept)', weight: 5, expected: ['200 with maxImageMeta'],
    send: (b, a) => call(b, a, 'GET', '/v2.1/limits', V('2.38'), undefined, (s, body) => `${s} ${body.includes('maxImageMeta') ? 'with' : 'without'} maxImageMeta`),
  },
  { name: 'gateway 404: GET image metadata at 2.39', weight: 6, expected: ['404'], send: (b, a) => call(b, a, 'GET', META, V('2.39')) },
  { name: 'gateway 404: PUT image metadata key at latest', weight: 4, expected: ['404'], send: (b, a) => call(b, a, 'PUT', `${META}/k`, V('latest'), '{"meta": {"k": "v"}}') },
  { name: 'gateway 404: odd spelling, DELETE at 2.39', weight: 3, expected: ['404'], send: (b, a) => call(b, a, 'DELETE', '/v2.1//c0ffee00/./%69mages/70a599e0-31e7-49b7-b260-868f441e862b/x/../metadata/k.json', V('2.39')) },
  { name: 'image metadata at 2.38 (proxied)', weight: 3, expected: ['200'], send: (b, a) => call(b, a, 'GET', META, V('2.38')) },
  { name: '400 malformed version', weight: 4, expected: ['400'], send: (b, a) => call(b, a, 'GET', '/v2.1/servers/detail', V('2.1.3')) },
  { name: '406 version out of range', weight: 4, expected: ['406'], send: (b, a) => call(b, a, 'GET', '/v2.1/servers/detail', V('9.9')) },
  { name: '400 refused target (%2F)', weight: 2, expected: ['400'], send: (b, a) => call(b, a, 'GET', '/v2.1/images/x%2Fmetadata', V('2.39')) },
  { name: 'createImage at 2.39: metadata withheld to the Image service', weight: 10, expected: ['202'], send: (b, a) => call(b, a, 'POST', ACTION, V('2.39'), createImage()) },
  { name: 'createImage at 2.39: malformed body', weight: 2, expected: ['400'], send: (b, a) => call(b, a, 'POST', ACTION, V('2.39'), '{"createImage": ') },
  { name: 'client abort: slow upstream, aborted after 50 ms', weight: 3, expected: ['aborted'], send: (b) => abandon(b, 'GET', '/v2.1/servers/slow', V('2.38'), 50) },
  { name: 'client abort: half a createImage body', weight: 2, expected: ['aborted'], send: (b) => abandon(b, 'POST', ACTION, V('2.39'), 30, createImage()) },
  { name: 'upstream reset before headers', weight: 3, expected: ['502'], send: (b, a) => call(b, a, 'GET', '/v2.1/servers/reset-before-headers', V('2.38')) },
  { name: 'upstream reset mid-body, pass-through', weight: 2, expected: ['cut'], send: (b, a) => call(b, a, 'GET', '/v2.1/servers/reset-mid-body', V('2.38')) },
  { name: 'upstream reset mid-body, rewritten /limits', weight: 2, expected: ['502'], send: (b, a) => call(b, a, 'GET', '/v2.1/limits?reset-mid-body', V('2.39')) },
];

const TOTAL_WEIGHT = KINDS.reduce((n, k) => n + k.weight, 0);

function pick(i: number): Kind {
  // Deterministic interleaving: a fixed permutation over the weighted list.
  let slot = (i * 7919) % TOTAL_WEIGHT;
  for (const k of KINDS) {
    if (slot < k.weight) return k;
    slot -= k.weight;
  }
  return KINDS[0];
}

interface Tally {
  sent: number;
  skipped: number;
  inFlight: number;
  maxInFlight: number;
  readonly outcomes: Map<string, Map<Outcome, number>>;
}

async function drive(base: string, seconds: number, onSecond: () => void): Promise<Tally> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const tally: Tally = { sent: 0, skipped: 0, inFlight: 0, maxInFlight: 0, outcomes: new Map() };
  const pending = new Set<Promise<void>>();
  const started = Date.now();
  let lastSecond = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (Date.now() - started) / 1000;
      const second = Math.floor(elapsed);
      if (second > lastSecond) {
        lastSecond = second;
        onSecond();
      }
      if (elapsed >= seconds) {
        clearInterval(timer);
        return resolve();
      }
      const due = Math.floor(elapsed * RATE);
      while (tally.sent + tally.skipped < due) {
        if (tally.inFlight >= MAX_IN_FLIGHT) {
          tally.skipped++;
          continue;
        }
        const kind = pick(tally.sent + tally.skipped);
        tally.sent++;
        tally.inFlight++;
        tally.maxInFlight = Math.max(tally.maxInFlight, tally.inFlight);
        const p = kind.send(base, agent).then((outcome) => {
          tally.inFlight--;
          const byOutcome = tally.outcomes.get(kind.name) ?? new Map<Outcome, number>();
          byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
          tally.outcomes.set(kind.name, byOutcome);
        });
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
    }, 5);
  });
  await Promise.race([Promise.all(pending), sleep(REQUEST_TIMEOUT_MS + 2000)]);
  agent.destroy();
  return tally;
}

// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    http.get(url, { agent: false, headers: { Connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });
}

async function quiesce(upstream: http.Server, glance: http.Server): Promise<void> {
  // Idle keep-alive connections are part of the pools, not of a leak: close them on the far side.
  upstream.closeIdleConnections();
  glance.closeIdleConnections();
  await sleep(IDLE_S * 1000);
  upstream.closeIdleConnections();
  glance.closeIdleConnections();
  await sleep(500);
}

async function main(): Promise<number> {
  const budgetMs = (WARMUP_S + DURATION_S + 3 * IDLE_S + 90) * 1000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`soak: over its time budget (${budgetMs / 1000} s); stopping\n`);
    void stopChild(1000).then(() => process.exit(2));
  }, budgetMs);
  watchdog.unref();

  const glanceCounts = { patches: 0, deletes: 0 };
  const glance = await startGlance(glanceCounts);
  const upstream = await startUpstream(() => urlOf(glance));
  const gw = await startGateway(urlOf(upstream), urlOf(glance));
  const t0 = Date.now();
  for (let i = 0; i < 100 && (await get(`${gw.adminUrl}/readyz`)) !== 200; i++) await sleep(100);
  const samples: Sample[] = [];
  const record = () => samples.push(sample(gw.pid, t0));
  record();
  const started = samples[0];

  process.stdout.write(`soak: gateway pid ${gw.pid}; warm-up ${WARMUP_S} s at ${RATE} req/s\n`);
  const warm = await drive(gw.proxyUrl, WARMUP_S, record);
  await quiesce(upstream, glance);
  record();
  const baseline = samples[samples.length - 1];
  const soakFrom = samples.length;
  process.stdout.write(`soak: baseline RSS ${baseline.rssMb.toFixed(1)} MB, ${baseline.fds} fds; ${DURATION_S} s at ${RATE} req/s\n`);

  const patchesBefore = glanceCounts.patches;
  const tally = await drive(gw.proxyUrl, DURATION_S, () => {
    record();
    const s = samples[samples.length - 1];
    if (s.t % 10 === 0) process.stdout.write(`  t=${s.t}s RSS ${s.rssMb.toFixed(1)} MB, ${s.fds} fds\n`);
  });
  const soakSamples = samples.slice(soakFrom);
  await quiesce(upstream, glance);
  record();
  const end = samples[samples.length - 1];
  const healthz = await get(`${gw.adminUrl}/healthz`);
  const after = await get(`${gw.proxyUrl}/v2.1/servers/detail`);

  // Verdict.
  const peakRss = Math.max(...soakSamples.map((s) => s.rssMb));
  const peakFds = Math.max(...soakSamples.map((s) => s.fds));
  const problems: string[] = [];
  let unexpected = 0;
  const lines: string[] = [];
  for (const k of KINDS) {
    const got = tally.outcomes.get(k.name) ?? new Map<Outcome, number>();
    const parts = [...got.entries()].map(([o, n]) => `${o}: ${n}`).join(', ');
    const bad = [...got.entries()].filter(([o]) => !k.expected.includes(o)).reduce((n, [, c]) => n + c, 0);
    unexpected += bad;
    lines.push(`  ${k.name.padEnd(62)} ${parts}${bad ? `   <-- ${bad} unexpected` : ''}`);
  }
  const created = tally.outcomes.get('createImage at 2.39: metadata withheld to the Image service')?.get('202') ?? 0;
  const patches = glanceCounts.patches - patchesBefore;
  if (unexpected) problems.push(`${unexpected} requests had an unexpected outcome`);
  if (patches !== created) problems.push(`Image service got ${patches} property writes for ${created} createImage 202s`);
  if (end.rssMb - baseline.rssMb > MAX_RSS_GROWTH_MB) problems.push(`RSS did not return near its baseline (+${(end.rssMb - baseline.rssMb).toFixed(1)} MB)`);
  if (end.fds - baseline.fds > MAX_FD_GROWTH) problems.push(`open descriptors did not return to their baseline (+${end.fds - baseline.fds})`);
  if (healthz !== 200 || after !== 200) problems.push(`after the run: /healthz ${healthz}, a normal request ${after}`);
  if (tally.skipped) problems.push(`${tally.skipped} requests skipped: ${MAX_IN_FLIGHT} already in flight`);

  const achieved = tally.sent / DURATION_S;
  const report = [
    '',
    `soak: ${tally.sent} requests in ${DURATION_S} s (${achieved.toFixed(1)} req/s target ${RATE}), warm-up ${warm.sent}, max in flight ${tally.maxInFlight}`,
    ...lines,
    `  Image service property writes: ${patches} (createImage 202s: ${created}), image deletes: ${glanceCounts.deletes - 0}`,
    `  gateway log lines: ${gw.logLines.total} (warnings ${gw.logLines.warnings}, errors ${gw.logLines.errors})`,
    '',
    '                      RSS (MB)   open fds',
    `  at start         ${started.rssMb.toFixed(1).padStart(9)}   ${String(started.fds).padStart(8)}`,
    `  baseline         ${baseline.rssMb.toFixed(1).padStart(9)}   ${String(baseline.fds).padStart(8)}   (after ${WARMUP_S} s warm-up and ${IDLE_S} s idle)`,
    `  peak (soak)      ${peakRss.toFixed(1).padStart(9)}   ${String(peakFds).padStart(8)}`,
    `  end              ${end.rssMb.toFixed(1).padStart(9)}   ${String(end.fds).padStart(8)}   (${IDLE_S} s after the last request)`,
    `  limits: end - baseline <= ${MAX_RSS_GROWTH_MB} MB RSS, <= ${MAX_FD_GROWTH} fds`,
    '',
    `  samples (t s: RSS MB / fds): ${samples.map((s) => `${s.t}:${s.rssMb.toFixed(0)}/${s.fds}`).join(' ')}`,
    '',
    problems.length ? `soak: FAIL\n${problems.map((p) => `  - ${p}`).join('\n')}` : 'soak: PASS',
    '',
  ];
  process.stdout.write(report.join('\n'));

  await stopChild();
  upstream.closeAllConnections();
  glance.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
  await new Promise<void>((r) => glance.close(() => r()));
  clearTimeout(watchdog);
  return problems.length ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`soak: ${signal}; stopping the gateway (pid ${child?.pid ?? '-'})\n`);
    void stopChild(1000).then(() => process.exit(2));
  });
}
process.once('exit', () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`soak: ${err.stack ?? err.message}\n`);
    void stopChild(1000).then(() => process.exit(2));
  },
);
