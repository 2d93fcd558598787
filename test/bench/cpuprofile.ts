/**
 * Aggregates a V8 .cpuprofile (node --cpu-prof) by function + file:
 *
 *   node dist/test/bench/cpuprofile.js FILE.cpuprofile [--top 30] [--from US --to US]
 *
 * Self time is where samples landed; total time counts a function once per sample in whose
 * stack it appears. --from/--to (the process's monotonic clock in µs, as profile timestamps)
 * keep only the samples of a load window. Also prints self time by area (Node internals,
 * Express/router, http-proxy-middleware, http-proxy, the gateway's modules, prom-client, GC…).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
  parent?: number;
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface FunctionCost {
  readonly key: string;
  readonly name: string;
  readonly where: string;
  readonly area: string;
  selfUs: number;
  totalUs: number;
}

export interface Aggregate {
  /** Sampled time in the window, µs. */
  readonly windowUs: number;
  /** Time not idle (program + GC + JS + native), µs. */
  readonly busyUs: number;
  readonly functions: FunctionCost[];
  readonly areas: Map<string, number>;
  readonly samples: number;
}

/** The area a frame belongs to, by its script URL. */
export function areaOf(frame: CallFrame): string {
  const url = frame.url;
  const name = frame.functionName;
  if (!url) {
    if (name === '(garbage collector)') return 'GC';
    if (name === '(idle)') return 'idle';
    if (name === '(program)') return 'program (native, unattributed)';
    return 'native/builtin';
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) {
    const pkg = nm[1];
    if (pkg === 'express' || pkg === 'router' || pkg === 'finalhandler' || pkg === 'send' || pkg === 'qs' || pkg === 'parseurl' || pkg === 'path-to-regexp' || pkg === 'on-finished' || pkg === 'debug' || pkg === 'depd' || pkg === 'ee-first' || pkg === 'encodeurl' || pkg === 'setprototypeof' || pkg === 'statuses') return `express (${pkg})`;
    return pkg;
  }
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+(?:\/[^/]+)?)/.exec(url);
    const mod = m ? m[1] : url;
    if (/^(_http|http)/.test(mod)) return 'node http';
    if (/^streams?/.test(mod) || mod.startsWith('stream')) return 'node streams';
    if (/^(net|stream_base_commons|dns|tcp)/.test(mod)) return 'node net';
    if (/^(timers|process\/task_queues|async_hooks|events)/.test(mod)) return 'node timers/events/async';
    return 'node other';
  }
  const g = /\/dist\/gateway\/(.+)\.js$/.exec(url) ?? /\/gateway\/(.+)\.[jt]s$/.exec(url);
  if (g) return `gateway ${g[1].split('/')[0]}`;
  if (/\/test\/bench\//.test(url)) return 'bench harness';
  return path.basename(url);
}

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const d = url.indexOf('/dist/');
  if (d >= 0) return url.slice(d + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

export function aggregate(profile: CpuProfile, window?: { fromUs?: number; toUs?: number }): Aggregate {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) byId.get(c)!.parent = n.id;

  const costs = new Map<string, FunctionCost>();
  const costOf = (frame: CallFrame): FunctionCost => {
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${where}`;
    let c = costs.get(key);
    if (!c) costs.set(key, (c = { key, name, where, area: areaOf(frame), selfUs: 0, totalUs: 0 }));
    return c;
  };
  const areas = new Map<string, number>();
  let t = profile.startTime;
  let windowUs = 0;
  let busyUs = 0;
  let samples = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (window?.fromUs !== undefined && t < window.fromUs) continue;
    if (window?.toUs !== undefined && t > window.toUs) continue;
    // A sample's duration: the gap to the next sample (V8's convention).
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (dt <= 0) continue;
    samples++;
    windowUs += dt;
    const leaf = byId.get(profile.samples[i])!;
    const self = costOf(leaf.callFrame);
    self.selfUs += dt;
    const area = self.area;
    areas.set(area, (areas.get(area) ?? 0) + dt);
    if (area !== 'idle') busyUs += dt;
    const seen = new Set<FunctionCost>();
    for (let n: ProfileNode | undefined = leaf; n; n = n.parent !== undefined ? byId.get(n.parent) : undefined) {
      if (n.callFrame.functionName === '(root)') break;
      const c = costOf(n.callFrame);
      if (!seen.has(c)) {
        seen.add(c);
        c.totalUs += dt;
      }
    }
  }
  return { windowUs, busyUs, functions: [...costs.values()], areas, samples };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

const pct = (part: number, whole: number) => (whole > 0 ? ((100 * part) / whole).toFixed(1) : '0.0');

/** A text report: areas, top self, top total (for functions of interest). */
export function formatAggregate(a: Aggregate, top = 30, requests?: number): string {
  const lines: string[] = [];
  const perReq = (us: number) => (requests ? ` ${(us / requests).toFixed(2).padStart(7)} µs/req` : '');
  lines.push(`window ${(a.windowUs / 1e6).toFixed(2)} s, ${a.samples} samples, busy ${pct(a.busyUs, a.windowUs)}%${requests ? `, ${requests} requests, ${(a.busyUs / requests).toFixed(1)} busy µs/req` : ''}`);
  lines.push('', 'self time by area (% of busy):');
  for (const [area, us] of [...a.areas.entries()].filter(([k]) => k !== 'idle').sort((x, y) => y[1] - x[1])) {
    lines.push(`  ${pct(us, a.busyUs).padStart(5)}%${perReq(us)}  ${area}`);
  }
  lines.push('', `top ${top} functions by self time (% of busy):`);
  const bySelf = a.functions.filter((f) => f.area !== 'idle').sort((x, y) => y.selfUs - x.selfUs).slice(0, top);
  for (const f of bySelf) lines.push(`  ${pct(f.selfUs, a.busyUs).padStart(5)}%${perReq(f.selfUs)}  ${f.name}  ${f.where}  [${f.area}]`);
  lines.push('', `top ${top} non-Node functions by total time (% of busy):`);
  const byTotal = a.functions
    .filter((f) => f.where && !f.where.startsWith('node:') && f.area !== 'idle')
    .sort((x, y) => y.totalUs - x.totalUs)
    .slice(0, top);
  for (const f of byTotal) lines.push(`  ${pct(f.totalUs, a.busyUs).padStart(5)}%${perReq(f.totalUs)}  ${f.name}  ${f.where}  [${f.area}]`);
  return lines.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (!file) {
    process.stderr.write('usage: cpuprofile.js FILE.cpuprofile [--top N] [--from US --to US] [--requests N]\n');
    process.exit(2);
  }
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const a = aggregate(readProfile(file), { fromUs: opt('from'), toUs: opt('to') });
  process.stdout.write(formatAggregate(a, opt('top') ?? 30, opt('requests')) + '\n');
}

if (require.main === module) main();
