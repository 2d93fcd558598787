/**
 * A proxy process's garbage-collector state under load, made visible: one proxy (the gateway by
 * default) loaded in back-to-back wrk rounds, one full collection forced before a chosen round,
 * and per round the req/s, CPU µs per request and the young (minor) and full (major)
 * collections the process ran (README "Performance": what it showed, and what was fixed).
 *
 *   node dist/test/bench/gcstate.js [role]     role: gateway (default), express-hpm, http-proxy,
 *                                                express-http-proxy, node-http-hpm-ejected, or
 *                                                mini-http-proxy (miniProxy.ts: node:http + http-proxy
 *                                                and nothing else; BENCH_MINI_REQUIRE=express loads
 *                                                Express into it without using it)
 *
 * Environment: GCSTATE_ROUNDS (6), GCSTATE_FULL_GC_BEFORE (round number; 3; 0 = never),
 * BENCH_DURATION (4 s), BENCH_CONNECTIONS (50), BENCH_SERVER_NODE_FLAGS (added node flags).
 * The gateway runs with its shipped node flags; the others with none.
 */
import path from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../../gateway/nodeFlags';
import { chooseLoadGenerator, runLoad } from './load';
import { installCleanup, procCpuUs, startNodeChild } from './procs';
import { envNumber } from '../support/envNumber';

const ROUNDS = envNumber('GCSTATE_ROUNDS', 6);
const FULL_GC_BEFORE = envNumber('GCSTATE_FULL_GC_BEFORE', 3, 0);
const DURATION = envNumber('BENCH_DURATION', 4);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
const EXTRA_FLAGS = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const SHIPPED_RULES = path.resolve(__dirname, '../../../rules');
const HEADERS = { 'OpenStack-API-Version': 'compute 2.39', 'X-Auth-Token': 'bench:bench', Accept: 'application/json' };

interface GcCounts {
  readonly minor: number;
  readonly major: number;
}

async function main(): Promise<void> {
  installCleanup();
  const role = process.argv[2] ?? 'gateway';
  process.env.BENCH_GC_COUNTS = '1';
  const upstream = await startNodeChild('upstream', ['upstream']);
  const args = role === 'gateway' ? ['gateway', upstream.url, SHIPPED_RULES] : [role, upstream.url];
  const flags = [...(role === 'gateway' ? GATEWAY_NODE_FLAGS : []), '--expose-gc', ...EXTRA_FLAGS];
  const proxy =
    role === 'mini-http-proxy'
      ? await startNodeChild(role, [upstream.url], flags, path.join(__dirname, 'miniProxy.js'))
      : await startNodeChild(role, args, flags);
  const generator = chooseLoadGenerator();
  const loads = role === 'mini-http-proxy' && process.env.BENCH_MINI_REQUIRE ? ` loading ${process.env.BENCH_MINI_REQUIRE}` : '';
  process.stdout.write(`${role}${loads} (node ${flags.join(' ')}), ${generator}, ${CONNECTIONS} connections, ${ROUNDS} × ${DURATION} s` +
    `${FULL_GC_BEFORE > 0 ? `, one full collection forced before round ${FULL_GC_BEFORE}` : ''}\n\n` +
    '| round | req/s | CPU µs/req | young collections | full collections |\n| --- | --- | --- | --- | --- |\n');
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      if (round === FULL_GC_BEFORE) {
        await proxy.ask('full-gc');
        await new Promise((resolve) => setTimeout(resolve, 200)); // its gc entry arrives before the count
      }
      const gc0 = await proxy.ask<GcCounts>('gc-counts');
      const cpu0 = procCpuUs(proxy.pid);
      const r = await runLoad(generator, { url: proxy.url, path: '/v2.1/servers/detail', headers: HEADERS, connections: CONNECTIONS, durationSeconds: DURATION });
      const cpu = (procCpuUs(proxy.pid) - cpu0) / r.ok;
      const gc1 = await proxy.ask<GcCounts>('gc-counts');
      const forced = round === FULL_GC_BEFORE ? ' (after the forced one)' : '';
      process.stdout.write(`| ${round} | ${r.rps.toFixed(0)} | ${cpu.toFixed(0)} | ${gc1.minor - gc0.minor} | ${gc1.major - gc0.major}${forced} |\n`);
    }
  } finally {
    await proxy.stop();
    await upstream.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`gcstate failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
