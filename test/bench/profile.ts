/**
 * Profiles the gateway's hot path: each case runs a fresh proxy child under `--cpu-prof`
 * against the bench upstream, warms it up, then loads it for a fixed window marked on the
 * child's own clock; the profile is cut to that window and aggregated by function and area,
 * in busy CPU µs per request so that cases with different throughput compare.
 *
 *   node dist/test/bench/profile.js        (BENCH_PROFILE_SECONDS=8, BENCH_CONNECTIONS=50,
 *                                           BENCH_PROFILE_DIR=<tmp>, BENCH_PROFILE_ONLY=ids)
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { aggregate, formatAggregate, readProfile, type Aggregate } from './cpuprofile';
import { chooseLoadGenerator, runLoad } from './load';
import { installCleanup, procCpuUs, startNodeChild, trackTempDir } from './procs';
import { syntheticRulesDir } from './syntheticRules';

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const INTERVAL_US = Number(process.env.BENCH_PROFILE_INTERVAL ?? 200);
const REPO = path.resolve(__dirname, '../../..');
const SHIPPED_RULES = path.join(REPO, 'rules');
const ONLY = process.env.BENCH_PROFILE_ONLY ? new Set(process.env.BENCH_PROFILE_ONLY.split(',')) : undefined;

interface Case {
  readonly id: string;
  readonly role: string[];
  readonly path: string;
  readonly version: string;
}

const CASES: Case[] = [
  { id: 'hpm-passthrough', role: ['express-hpm'], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'http-proxy-passthrough', role: ['http-proxy'], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'diag-express-http-proxy', role: ['express-http-proxy'], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'diag-setprototype-http-proxy', role: ['setprototype-http-proxy'], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'diag-node-http-hpm', role: ['node-http-hpm'], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'diag-node-http-hpm-ejected', role: ['node-http-hpm-ejected'], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'gateway-passthrough-2.39', role: ['gateway', '', SHIPPED_RULES], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'gateway1000-passthrough-2.39', role: ['gateway', '', '<synthetic>'], path: '/v2.1/servers/detail', version: '2.39' },
  { id: 'gateway-limits-2.38', role: ['gateway', '', SHIPPED_RULES], path: '/v2.1/limits', version: '2.38' },
  { id: 'gateway-limits-2.39', role: ['gateway', '', SHIPPED_RULES], path: '/v2.1/limits', version: '2.39' },
  { id: 'hpm-limits', role: ['express-hpm'], path: '/v2.1/limits', version: '2.39' },
];

const headersAt = (version: string) => ({ 'OpenStack-API-Version': `compute ${version}`, 'X-Auth-Token': 'bench:bench', Accept: 'application/json' });

async function main(): Promise<void> {
  installCleanup();
  const dir = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(path.join(tmpdir(), 'mvgw-bench-profiles-'));
  mkdirSync(dir, { recursive: true });
  const synthetic = syntheticRulesDir(SHIPPED_RULES, 1000);
  trackTempDir(synthetic);
  const upstream = await startNodeChild('upstream', ['upstream']);
  const results: { c: Case; a: Aggregate; requests: number; rps: number; cpuPerReq: number }[] = [];
  try {
    for (const c of CASES.filter((x) => !ONLY || ONLY.has(x.id))) {
      const caseDir = path.join(dir, c.id);
      mkdirSync(caseDir, { recursive: true });
      const args = [c.role[0], upstream.url, ...c.role.slice(2).map((a) => (a === '<synthetic>' ? synthetic : a))];
      const child = await startNodeChild(c.id, args, ['--cpu-prof', '--cpu-prof-dir', caseDir, '--cpu-prof-interval', String(INTERVAL_US)]);
      const load = (seconds: number) => runLoad(chooseLoadGenerator(), { url: child.url, path: c.path, headers: headersAt(c.version), connections: CONNECTIONS, durationSeconds: seconds });
      await load(3);
      const fromUs = await child.mark();
      const cpu0 = procCpuUs(child.pid);
      const r = await load(SECONDS);
      const cpuUs = procCpuUs(child.pid) - cpu0;
      const toUs = await child.mark();
      await child.stop();
      const file = readdirSync(caseDir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`${c.id}: no profile written in ${caseDir}`);
      const a = aggregate(readProfile(path.join(caseDir, file)), { fromUs, toUs });
      const cpuPerReq = cpuUs / r.ok;
      const text = `CPU (from /proc, all threads) ${cpuPerReq.toFixed(1)} µs per 2xx answer; sampled busy time ${(a.busyUs / r.ok).toFixed(1)} µs per answer (includes preemption)\n` + formatAggregate(a, 40, r.ok);
      writeFileSync(path.join(dir, `${c.id}.txt`), text + '\n');
      process.stdout.write(`\n=== ${c.id}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (${path.join(caseDir, file)})\n${text}\n`);
      results.push({ c, a, requests: r.ok, rps: r.rps, cpuPerReq });
    }
  } finally {
    await upstream.stop();
  }

  // Side by side: CPU µs per request by area (each area's share of the samples × measured CPU per request).
  const areas = new Set<string>();
  for (const r of results) for (const k of r.a.areas.keys()) if (k !== 'idle') areas.add(k);
  const perReq = (r: (typeof results)[number], area: string) => ((r.a.areas.get(area) ?? 0) / r.a.busyUs) * r.cpuPerReq;
  const sorted = [...areas].sort((x, y) => Math.max(...results.map((r) => perReq(r, y))) - Math.max(...results.map((r) => perReq(r, x))));
  const header = ['area (CPU µs/request)', ...results.map((r) => r.c.id)];
  const rows = [
    ...sorted.map((area) => [area, ...results.map((r) => perReq(r, area).toFixed(2))]),
    ['TOTAL CPU (from /proc)', ...results.map((r) => r.cpuPerReq.toFixed(2))],
    ['req/s under profiler', ...results.map((r) => r.rps.toFixed(0))],
  ];
  const md = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  writeFileSync(path.join(dir, 'areas.md'), md + '\n');
  process.stdout.write(`\n${md}\n\nprofiles and reports in ${dir}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`profile failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
